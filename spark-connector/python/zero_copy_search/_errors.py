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


def install() -> None:
    """Hooks py4j so that connector errors are raised as translate() makes them. Idempotent; call
    once a SparkContext exists (PySpark installs its own hook when it starts one, replacing ours).

    PySpark's hook turns some Java errors into its own exception types, and logs each of those
    with its SQL context (at ERROR, with the whole JVM trace). Ours runs inside it: a connector
    error leaves as a Python builtin before PySpark sees it, so PySpark neither converts nor logs
    it; every other error reaches PySpark's hook as before."""
    import py4j.java_gateway
    import py4j.protocol
    from py4j.protocol import Py4JJavaError
    from pyspark.errors.exceptions.captured import capture_sql_exception

    if getattr(py4j.java_gateway.get_return_value, "_zero_copy_search", False):
        return
    # PySpark logs every error that has a SQL context at ERROR, JVM trace included, and then
    # raises it: the user sees it twice. Quiet unless the user configured these loggers.
    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        logger = PySparkLogger.getLogger(name)  # PySpark's own class: it logs with extra fields
        if logger.level == logging.WARN:  # PySparkLogger's default
            logger.setLevel(logging.CRITICAL)
    original = py4j.protocol.get_return_value

    def get_return_value(*args, **kwargs):
        try:
            return original(*args, **kwargs)
        except Py4JJavaError as error:
            translated = translate(error)
            if translated is None:
                raise
            # the JVM trace is kept as __cause__ (a one-line JavaError), not as context
            translated.__suppress_context__ = True
            raise translated

    hooked = capture_sql_exception(get_return_value)
    hooked._zero_copy_search = True
    py4j.java_gateway.get_return_value = hooked
