"""What the JVMs of this package print before the user could ask them not to.

Every JVM started with the Vector API prints "WARNING: Using incubator modules:
jdk.incubator.vector" while it boots: the JDK's module system writes it to stderr, with no switch
to turn it off. And a Spark driver logs WARN lines (loopback hostname, native Hadoop library, "Using
Spark's default log4j profile") before spark.log.level applies. Neither tells a Python user
anything they can act on: the first is dropped from the JVMs' stderr, the second is avoided by a
log4j configuration at ERROR for the driver JVM when the user configured none."""

from __future__ import annotations

import os
import subprocess
import threading

INCUBATOR_WARNING = b"WARNING: Using incubator modules: "

_QUIET_LOG4J = os.path.join(os.path.dirname(os.path.abspath(__file__)), "log4j2-quiet.properties")


def is_boot_noise(line: bytes) -> bool:
    return line.startswith(INCUBATOR_WARNING)


def user_log4j_configured(extra_java_options: str) -> bool:
    """True if the user chose a log4j configuration: Spark's conf directory has one, or the
    driver's options name one."""
    if "log4j" in extra_java_options:
        return True
    conf_dir = os.environ.get("SPARK_CONF_DIR")
    if not conf_dir and os.environ.get("SPARK_HOME"):
        conf_dir = os.path.join(os.environ["SPARK_HOME"], "conf")
    return bool(conf_dir) and any(
        os.path.exists(os.path.join(conf_dir, name)) for name in ("log4j2.properties", "log4j2.xml")
    )


def quiet_log4j_option() -> str:
    return "-Dlog4j2.configurationFile=" + _QUIET_LOG4J


class StderrFilter:
    """Copies what a child process writes into a pipe to this process's stderr (file descriptor
    2, as if the child had inherited it: in a notebook that is the kernel's log, not the cell),
    without the JDK's incubator warning. Partial lines ending in a carriage return (Spark's
    progress bar) pass at once."""

    def __init__(self):
        self.read_end, self.write_end = os.pipe()
        threading.Thread(target=self._copy, name="zero-copy-search stderr", daemon=True).start()

    def _copy(self):
        pending = b""
        with os.fdopen(self.read_end, "rb", buffering=0) as pipe:
            while True:
                chunk = pipe.read(65536)
                if not chunk:
                    break
                pending += chunk
                cut = max(pending.rfind(b"\n"), pending.rfind(b"\r")) + 1
                complete, pending = pending[:cut], pending[cut:]
                _write(b"".join(line for line in complete.splitlines(True) if not is_boot_noise(line)))
        if pending and not is_boot_noise(pending):
            _write(pending)


def _write(data: bytes) -> None:
    while data:
        try:
            data = data[os.write(2, data) :]
        except OSError:  # stderr closed
            return


def install_launch_filter() -> None:
    """Makes PySpark start its driver JVM with stderr through a StderrFilter. It passes
    launch_gateway's popen_kwargs, which PySpark documents for capturing the JVM's output; a
    caller's own stderr choice is kept. Idempotent."""
    try:
        import pyspark.core.context as context
    except ImportError:  # no PySpark, or a layout without it
        return
    original = context.launch_gateway
    if getattr(original, "_zero_copy_search", False):
        return

    def launch_gateway(conf=None, popen_kwargs=None):
        kwargs = dict(popen_kwargs or {})
        if "stderr" in kwargs:
            return original(conf, kwargs)
        stderr = StderrFilter()
        kwargs["stderr"] = stderr.write_end
        try:
            return original(conf, kwargs)
        finally:
            os.close(stderr.write_end)  # the JVM has its own copy; EOF when it exits

    launch_gateway._zero_copy_search = True
    context.launch_gateway = launch_gateway
