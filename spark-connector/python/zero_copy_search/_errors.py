"""Errors of Spark jobs in Python's terms.

A connector error raised inside a Spark job reaches PySpark as a Py4JJavaError of a hundred lines
or more (Spark's job-abort wrapper, every executor frame). install() hooks py4j, after PySpark's
own hook, so that such an error is raised as one short Python exception instead: the builtin type
the connector's error maps to (ValueError, FileNotFoundError, OSError, ...), whose message is the
connector's own, naming Python keywords (vector_column, not vectorColumn). The JVM side stays on
the exception as __cause__: a JavaError whose str() is one line, with .java_exception (the Py4J
object) and .java_trace (the whole text). Errors the connector has no part in are left as they
were."""

from __future__ import annotations

import builtins
import logging
import re
from typing import Optional

# connector option names -> the keywords of this package's functions
_KEYWORDS = {
    "vectorColumn": "vector_column",
    "idColumn": "id_column",
    "efConstruction": "ef_construction",
    "carriedColumns": "carry",
    "onNullVector": "on_null_vector",
    "queryBlockRows": "query_block_rows",
    "boundaryReplicas": "boundary_replicas",
}


class JavaError(Exception):
    """The JVM side of a translated error: str() is its first line."""

    def __init__(self, summary: str, java_exception, java_trace: str):
        super().__init__(summary)
        self.java_exception = java_exception
        self.java_trace = java_trace


_OPTION = re.compile(r"\boption '?(" + "|".join(_KEYWORDS) + r")'?(=\w+)?")


def pythonic(message: str) -> str:
    """A connector message whose option names ("option 'vectorColumn'", "option onNullVector=skip")
    also name this package's keywords ("vector_column (option 'vectorColumn')")."""

    def keyword(match):
        python = _KEYWORDS[match.group(1)]
        value = match.group(2)
        return (f"{python}='{value[1:]}'" if value else python) + f" ({match.group(0)})"

    return _OPTION.sub(keyword, message)


def translate(error: BaseException) -> Optional[BaseException]:
    """The short Python exception for a Java error the connector raised; None if it is not one."""
    java = getattr(error, "java_exception", None)  # py4j's Py4JJavaError
    if java is None:
        java = getattr(error, "_origin", None)  # pyspark's CapturedException
    if java is None:
        return None
    try:
        from py4j.java_gateway import is_instance_of
        from pyspark import SparkContext

        # an error found while analyzing a query stays PySpark's AnalysisException, as over Spark
        # Connect: only errors of running jobs become Python builtins
        if is_instance_of(SparkContext._gateway, java, "org.apache.spark.sql.AnalysisException"):
            return None
        errors = SparkContext._jvm.io.zerocopy.spark.python.PythonErrors
        cause = errors.connectorCause(java)
        if cause is None:
            return None
        kind = getattr(builtins, errors.pythonType(cause), RuntimeError)
        message = pythonic(errors.message(cause))
        summary = cause.getClass().getName() + ": " + message.splitlines()[0]
        trace = errors.trace(java)
    except Exception:  # the connector is not on this JVM's class path, or the JVM is gone
        return None
    translated = kind(message)
    translated.__cause__ = JavaError(summary, java, trace)
    return translated


_RAISED_IN_SQL = re.compile(
    r"^\[USER_RAISED_EXCEPTION\] |\s*SQLSTATE: P0001(; line \d+ pos \d+)?$", re.MULTILINE
)


def _name_keywords(error) -> None:
    """An AnalysisException of the connector that names an option names its Python keyword too.
    It stays PySpark's AnalysisException, as over Spark Connect. The helpers call the connector
    through SQL (raise_error): the class, SQL state and position of that SQL, which the user did
    not write, are dropped from such a message."""
    desc = getattr(error, "_desc", None)
    if not isinstance(desc, str):
        return
    text = pythonic(desc)
    if text != desc:
        error._desc = _RAISED_IN_SQL.sub("", text)


def _is_spark(gateway_client) -> bool:
    """True if a py4j call goes to the JVM of PySpark's SparkContext."""
    try:
        from pyspark import SparkContext

        gateway = SparkContext._gateway
    except Exception:  # no pyspark
        return False
    return gateway is not None and getattr(gateway, "_gateway_client", None) is gateway_client


def install(spark: bool = True) -> None:
    """Hooks py4j so that connector errors of Spark jobs are raised as translate() makes them
    (spark=True; call once a SparkContext exists), and so that calls to any other JVM — the engine
    JVM this package starts itself — bypass every Spark hook (spark=False does only that).
    Idempotent.

    py4j has one hook for every gateway of the process. PySpark installs its own when it starts a
    SparkContext, replacing ours, and it stays after the context stops: calls to our engine JVM
    would then go through it, and it asks the Spark JVM to describe their errors. So the hook here
    dispatches by gateway: Spark's calls go through PySpark's hook (with ours inside it, where a
    connector error leaves as a Python builtin before PySpark converts and logs it), every other
    call straight to py4j's own function."""
    import py4j.java_gateway
    import py4j.protocol

    current = py4j.java_gateway.get_return_value
    ours = getattr(current, "_zero_copy_search", None)
    if ours is not None and (ours["spark"] or not spark):
        return
    original = py4j.protocol.get_return_value
    if spark:
        from py4j.protocol import Py4JJavaError
        from pyspark.errors import AnalysisException
        from pyspark.errors.exceptions.captured import capture_sql_exception
        from pyspark.logger import PySparkLogger

        # PySpark logs every error that has a SQL context at ERROR, JVM trace included, and then
        # raises it: the user sees it twice. Quiet unless the user configured these loggers.
        for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
            logger = PySparkLogger.getLogger(name)
            if logger.level == logging.WARN:  # PySparkLogger's default
                logger.setLevel(logging.CRITICAL)

        def translated(*args, **kwargs):
            try:
                return original(*args, **kwargs)
            except Py4JJavaError as error:
                short = translate(error)
                if short is None:
                    raise
                # the JVM trace is kept as __cause__ (a one-line JavaError), not as context
                short.__suppress_context__ = True
                raise short

        captured = capture_sql_exception(translated)

        def spark_path(*args, **kwargs):
            try:
                return captured(*args, **kwargs)
            except AnalysisException as error:
                _name_keywords(error)
                raise

    else:
        spark_path = ours["spark_path"] if ours is not None else current

    def get_return_value(answer, gateway_client, *args, **kwargs):
        if _is_spark(gateway_client):
            return spark_path(answer, gateway_client, *args, **kwargs)
        return original(answer, gateway_client, *args, **kwargs)

    get_return_value._zero_copy_search = {"spark": spark, "spark_path": spark_path}
    py4j.java_gateway.get_return_value = get_return_value
