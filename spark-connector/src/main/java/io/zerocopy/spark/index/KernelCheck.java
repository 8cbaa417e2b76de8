package io.zerocopy.spark.index;

import io.zerocopy.engine.distance.Distance;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns once per JVM (once per executor) when the engine runs its scalar distance kernel, naming
 * the {@code spark-submit} flags that enable the SIMD one.
 */
public final class KernelCheck {

  private static final Logger LOG = LoggerFactory.getLogger(KernelCheck.class);
  private static final AtomicBoolean CHECKED = new AtomicBoolean();

  private KernelCheck() {}

  /** Logs a WARN the first time it is called in a JVM whose engine selected the scalar kernel. */
  public static void warnOnceIfScalar() {
    if (!CHECKED.compareAndSet(false, true)) {
      return;
    }
    String kernel = Distance.kernelName();
    if (kernel.equals("scalar")) {
      LOG.warn(
          "zero-copy-search: this JVM runs the scalar distance kernel (SIMD is off), so index"
              + " builds and searches are several times slower. Start executors with"
              + " --conf spark.executor.extraJavaOptions=--add-modules=jdk.incubator.vector"
              + " (and the driver with --driver-java-options \"--add-modules"
              + " jdk.incubator.vector\")");
    } else {
      LOG.info("zero-copy-search: distance kernel {}", kernel);
    }
  }
}
