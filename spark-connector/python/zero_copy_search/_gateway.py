"""Access to the Java engine: the JVM of an active PySpark session, or one started here."""

from __future__ import annotations

import atexit
import functools
import glob
import os
import queue
import subprocess
import sys
import threading

from zero_copy_search import _quiet

# native access: the engine advises its mapped index files random (madvise through the FFM API),
# which keeps indexes larger than the page cache fast
_JAVA_OPTIONS = [
    "--add-modules",
    "jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED",
    "-Xss4m",
]
# JDK 17 reaches the FFM API through this incubator module, which newer JVMs no longer have
FOREIGN_MODULE_OPTION = "--add-modules=jdk.incubator.foreign"
_GATEWAY_CLASS = "io.zerocopy.spark.python.EngineGateway"

_lock = threading.Lock()
_own_gateway = None


def jar_path() -> str:
    """The connector jar (engine included) shipped inside this package, or $ZCS_JAR."""
    override = os.environ.get("ZCS_JAR")
    if override:
        if not os.path.isfile(override):
            raise FileNotFoundError(f"ZCS_JAR points to {override}, which does not exist")
        return override
    here = os.path.dirname(os.path.abspath(__file__))
    jars = sorted(glob.glob(os.path.join(here, "jars", "*.jar")))
    if not jars:
        raise FileNotFoundError(
            f"no connector jar in {os.path.join(here, 'jars')}: build it with "
            "'scripts/build-wheel.sh' and install the wheel it writes to dist/, "
            "or set ZCS_JAR"
        )
    return jars[-1]


def _spark_jvm():
    """The JVM of an active SparkSession, if it has our classes on its classpath."""
    pyspark = sys.modules.get("pyspark")
    if pyspark is None:
        return None
    try:
        from pyspark import SparkContext

        context = SparkContext._active_spark_context
    except Exception:  # Spark Connect or no classic session: no JVM here
        return None
    if context is None or context._jvm is None:
        return None
    try:
        context._jvm.java.lang.Class.forName(
            _GATEWAY_CLASS, True, context._jvm.java.lang.Thread.currentThread().getContextClassLoader()
        )
    except Exception:
        return None
    return context._jvm


class _StderrLines(queue.Queue):
    """Forwards the JVM's stderr (e.g. which distance kernel runs) to Python's current stderr."""

    def put(self, item, block=True, timeout=None):
        if _quiet.is_boot_noise(item if isinstance(item, bytes) else str(item).encode()):
            return
        line = item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
        try:
            sys.stderr.write(line)
        except Exception:  # stderr closed at interpreter exit
            pass


@functools.lru_cache(maxsize=None)
def accepts(java: str, option: str) -> bool:
    """Whether the JVM `java` starts with `option` (for flags only some JDKs know)."""
    probe = subprocess.run(
        [java, option, "-version"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return probe.returncode == 0


def _start_jvm():
    from py4j.java_gateway import GatewayParameters, JavaGateway, launch_gateway

    java_home = os.environ.get("JAVA_HOME")
    java = os.path.join(java_home, "bin", "java") if java_home else "java"
    port = launch_gateway(
        classpath=jar_path(),
        javaopts=_JAVA_OPTIONS
        + ([FOREIGN_MODULE_OPTION] if accepts(java, FOREIGN_MODULE_OPTION) else []),
        die_on_exit=True,
        redirect_stderr=_StderrLines(),
        java_path=java,
    )
    gateway = JavaGateway(gateway_parameters=GatewayParameters(port=port, auto_close=True))
    atexit.register(gateway.shutdown)
    return gateway


def jvm():
    """The py4j view of a JVM that has the engine: Spark's if usable, else our own."""
    global _own_gateway
    spark = _spark_jvm()
    if spark is not None:
        return spark
    with _lock:
        if _own_gateway is None:
            _own_gateway = _start_jvm()
        return _own_gateway.jvm


def engine():
    """The Java class EngineGateway (static methods)."""
    return getattr(jvm().io.zerocopy.spark.python, "EngineGateway")


_EXCEPTIONS = {
    "java.lang.IllegalArgumentException": ValueError,
    "java.lang.IndexOutOfBoundsException": IndexError,
    "java.lang.ArrayIndexOutOfBoundsException": IndexError,
    "java.lang.IllegalStateException": RuntimeError,
    "java.lang.UnsupportedOperationException": NotImplementedError,
    "java.nio.file.NoSuchFileException": FileNotFoundError,
    "java.io.FileNotFoundException": FileNotFoundError,
    "java.nio.file.FileAlreadyExistsException": FileExistsError,
    "java.nio.file.AccessDeniedException": PermissionError,
}


def _python_exception(java_exception):
    name = java_exception.getClass().getName()
    message = java_exception.getMessage() or name
    kind = _EXCEPTIONS.get(name)
    if kind is None:
        try:
            io_exception = engine_class("java.io.IOException")
            kind = OSError if io_exception.isInstance(java_exception) else RuntimeError
        except Exception:
            kind = RuntimeError
    return kind(message)


def engine_class(name):
    return jvm().java.lang.Class.forName(name)


def translate_errors(function):
    """Re-raises Java exceptions as the matching Python ones, with the Java message."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        from py4j.protocol import Py4JJavaError

        from zero_copy_search import _errors

        # calls to our own engine JVM must not go through a Spark hook left by PySpark
        _errors.install(spark=False)
        try:
            return function(*args, **kwargs)
        except Py4JJavaError as error:
            raise _python_exception(error.java_exception) from None

    return wrapper


@translate_errors
def kernel_name() -> str:
    """The distance kernel the engine's JVM runs: "panama" (SIMD) or "scalar"."""
    return engine().kernelName()
