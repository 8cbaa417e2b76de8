package io.zerocopy.engine.store;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Unmaps file mappings now instead of when the collector finds them unreachable: their address
 * space and, for a file deleted meanwhile (an evicted cache copy), its disk blocks come back at
 * once. Java 17 has no public way; {@code sun.misc.Unsafe.invokeCleaner} (module {@code
 * jdk.unsupported}, exported to every class) is the one Lucene and Netty use. JDK 24+ warns when it
 * is first called unless the JVM runs with {@code --sun-misc-unsafe-memory-access=allow} (as the
 * connector's JVMs do): without it, or where it is missing, nothing is unmapped early and that is
 * logged once.
 *
 * <p>Only for mappings no thread reads any more, now or later: a read of an unmapped buffer crashes
 * the JVM. Callers guarantee that (a store is unmapped by its last user).
 */
public final class Mappings {

  private static final System.Logger LOG = System.getLogger("io.zerocopy.engine.store");
  private static final Object UNSAFE;
  private static final Method INVOKE_CLEANER;

  static {
    Object unsafe = null;
    Method invokeCleaner = null;
    try {
      if (Runtime.version().feature() >= 24 && !unsafeMemoryAccessAllowed()) {
        // JDK 24+ warns on every first call of Unsafe's memory methods (JEP 498), or refuses
        throw new UnsupportedOperationException(
            "JDK "
                + Runtime.version().feature()
                + " without --sun-misc-unsafe-memory-access=allow");
      }
      Class<?> type = Class.forName("sun.misc.Unsafe");
      Field field = type.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      unsafe = field.get(null);
      invokeCleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "mapped files are unmapped by the garbage collector only (no sun.misc.Unsafe"
              + ".invokeCleaner: "
              + e
              + ")");
      unsafe = null;
      invokeCleaner = null;
    }
    UNSAFE = unsafe;
    INVOKE_CLEANER = invokeCleaner;
  }

  private Mappings() {}

  private static boolean unsafeMemoryAccessAllowed() {
    return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .anyMatch("--sun-misc-unsafe-memory-access=allow"::equals);
  }

  /** True if {@link #unmap} releases mappings at once on this JVM. */
  public static boolean supported() {
    return INVOKE_CLEANER != null;
  }

  /** Unmaps every buffer (each as returned by {@code FileChannel.map}, not a view or slice). */
  public static void unmap(List<ByteBuffer> mappings) {
    if (INVOKE_CLEANER == null) {
      return;
    }
    for (ByteBuffer mapping : mappings) {
      unmap(mapping);
    }
  }

  /** Unmaps one buffer as returned by {@code FileChannel.map}. */
  public static void unmap(ByteBuffer mapping) {
    if (INVOKE_CLEANER == null || mapping == null || mapping.capacity() == 0) {
      return;
    }
    try {
      INVOKE_CLEANER.invoke(UNSAFE, mapping);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot unmap a file mapping: " + e.getCause(), e);
    }
  }
}
