package io.zerocopy.engine.distance;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.util.Optional;

/**
 * Chooses the kernel once per JVM, as Lucene's VectorizationProvider does: the Vector API when its
 * module is readable, C2 compiles and vectors are at least 128 bits; the scalar kernel otherwise,
 * with one log line saying why.
 */
final class KernelSelection {

  /** Forces a kernel ("scalar" or "panama"); for benchmarks and tests only. */
  static final String OVERRIDE_PROPERTY = "zcs.kernel";

  private static final System.Logger LOG = System.getLogger("io.zerocopy.engine.distance");

  static final VectorKernel SELECTED = select();

  /** Disables the in-place kernels ({@code -Dzcs.mappedKernel=false}): for benchmarks only. */
  static final String MAPPED_PROPERTY = "zcs.mappedKernel";

  static final MappedKernel MAPPED = selectMapped();

  private KernelSelection() {}

  private static VectorKernel select() {
    String forced = System.getProperty(OVERRIDE_PROPERTY, "").trim();
    if (forced.equals("scalar")) {
      LOG.log(
          System.Logger.Level.INFO,
          "distance kernel: scalar (forced by -D{0}=scalar)",
          OVERRIDE_PROPERTY);
      return ScalarKernel.INSTANCE;
    }
    Optional<String> unavailable = whyPanamaUnavailable();
    if (unavailable.isPresent()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "distance kernel: scalar, because {0}. Start the JVM with --add-modules"
              + " jdk.incubator.vector for the SIMD kernel.",
          unavailable.get());
      return ScalarKernel.INSTANCE;
    }
    try {
      Class<?> type =
          Class.forName(
              "io.zerocopy.engine.distance.PanamaKernel",
              true,
              KernelSelection.class.getClassLoader());
      VectorKernel kernel =
          (VectorKernel)
              MethodHandles.lookup()
                  .findConstructor(type, MethodType.methodType(void.class))
                  .invoke();
      boolean fma =
          (boolean)
              MethodHandles.lookup()
                  .findStatic(type, "usesFma", MethodType.methodType(boolean.class))
                  .invoke();
      int bits =
          (int)
              MethodHandles.lookup()
                  .findStatic(type, "vectorBitSize", MethodType.methodType(int.class))
                  .invoke();
      if (bits < 128) {
        LOG.log(
            System.Logger.Level.WARNING,
            "distance kernel: scalar, because the preferred vector is only {0} bits",
            bits);
        return ScalarKernel.INSTANCE;
      }
      LOG.log(
          System.Logger.Level.INFO,
          "distance kernel: panama (Vector API, {0}-bit vectors, fma={1})",
          bits,
          fma);
      return kernel;
    } catch (Throwable e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "distance kernel: scalar, because the Vector API kernel failed to load: " + e,
          e);
      return ScalarKernel.INSTANCE;
    }
  }

  private static MappedKernel selectMapped() {
    if (!SELECTED.name().equals("panama")) {
      return null;
    }
    int feature = Runtime.version().feature();
    String why;
    if (!Boolean.parseBoolean(System.getProperty(MAPPED_PROPERTY, "true"))) {
      why = "disabled by -D" + MAPPED_PROPERTY + "=false";
    } else if (feature >= 20 && feature < 22) {
      why =
          "JDK "
              + feature
              + " has no FloatVector.fromByteBuffer, and its memory segments are a preview";
    } else {
      try {
        MappedKernel kernel =
            (MappedKernel)
                MethodHandles.lookup()
                    .findConstructor(
                        Class.forName(
                            "io.zerocopy.engine.distance.PanamaMappedKernel",
                            true,
                            KernelSelection.class.getClassLoader()),
                        MethodType.methodType(void.class))
                    .invoke();
        LOG.log(
            System.Logger.Level.INFO,
            "exact search: one query scores stored vectors in place in the mapping ({0})",
            feature >= 22 ? "FloatVector.fromMemorySegment" : "FloatVector.fromByteBuffer");
        return kernel;
      } catch (Throwable e) {
        why = "the in-place kernel failed to load: " + e;
      }
    }
    LOG.log(
        System.Logger.Level.INFO,
        "exact search: one query copies stored vectors out of the mapping before scoring them, because {0}",
        why);
    return null;
  }

  static Optional<String> whyPanamaUnavailable() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return Optional.of("the jdk.incubator.vector module is not enabled");
    }
    String compiler = vmOption("TieredStopAtLevel").orElse("4");
    if (!compiler.equals("4") || vmOption("UseCompiler").map("false"::equals).orElse(false)) {
      return Optional.of("the C2 compiler is off, so vector code would not be compiled");
    }
    return Optional.empty();
  }

  static boolean hardwareFma() {
    return vmOption("UseFMA").map("true"::equals).orElse(false);
  }

  private static Optional<String> vmOption(String name) {
    try {
      var bean =
          ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      return Optional.of(bean.getVMOption(name).getValue());
    } catch (RuntimeException | LinkageError e) {
      return Optional.empty();
    }
  }
}
