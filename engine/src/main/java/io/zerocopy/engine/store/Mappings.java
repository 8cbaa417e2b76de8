package io.zerocopy.engine.store;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

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

  /**
   * Tells the kernel that {@code mappings} (each as returned by {@code FileChannel.map}) are read
   * at random ({@code madvise(MADV_RANDOM)}): a page fault then reads its page, not the 128 KiB
   * read-around window. Under memory pressure (a cgroup limit, a file larger than the page cache)
   * that window costs a reclaim of 32 pages per fault and evicts pages still in use; a probe in a
   * 64 MiB cgroup served 176 random reads/s of a mapped 239 MiB file with read-around and 16,679
   * with this advice. Java has no API for it before the FFM API (JDK 22): this JDK 17 bytecode
   * reaches it by reflection, on Linux, where the JVM grants native access ({@code
   * --enable-native-access=ALL-UNNAMED}). Elsewhere it does nothing and says so once in the log.
   * System property {@code zcs.mapping.advice=normal} turns it off (for side-by-side measures).
   *
   * @return whether the advice was given
   */
  public static boolean adviseRandom(List<ByteBuffer> mappings) {
    if (!RandomAdvice.AVAILABLE) {
      return false;
    }
    boolean advised = true;
    for (ByteBuffer mapping : mappings) {
      if (mapping != null && mapping.capacity() > 0) {
        advised &= RandomAdvice.advise(mapping);
      }
    }
    return advised;
  }

  /** True if {@link #adviseRandom} gives its advice on this JVM. */
  public static boolean randomAdviceSupported() {
    return RandomAdvice.AVAILABLE;
  }

  /** madvise through the FFM API, looked up once, on first use. */
  private static final class RandomAdvice {
    private static final int MADV_RANDOM = 1; // Linux, every architecture the JDK runs on
    private static final boolean AVAILABLE;
    private static final MethodHandle MADVISE; // (long address, long length, int advice) -> int
    private static final Method OF_BUFFER; // MemorySegment.ofBuffer(Buffer)
    private static final Method ADDRESS; // MemorySegment.address()
    private static final long PAGE_SIZE;

    static {
      MethodHandle madvise = null;
      Method ofBuffer = null;
      Method address = null;
      long pageSize = 0;
      String unavailable = null;
      try {
        if ("normal".equals(System.getProperty("zcs.mapping.advice"))) {
          unavailable = "system property zcs.mapping.advice=normal";
        } else if (!System.getProperty("os.name", "").startsWith("Linux")) {
          unavailable = "not Linux";
        } else if (Runtime.version().feature() < 22) {
          unavailable = "JDK " + Runtime.version().feature() + " has no FFM API (JDK 22+)";
        } else if (!(Boolean)
            Module.class.getMethod("isNativeAccessEnabled").invoke(Mappings.class.getModule())) {
          unavailable = "the JVM runs without --enable-native-access=ALL-UNNAMED";
        } else {
          Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
          Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
          Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
          Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
          Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
          Class<?> valueLayout = Class.forName("java.lang.foreign.ValueLayout");
          Object javaLong = valueLayout.getField("JAVA_LONG").get(null);
          Object javaInt = valueLayout.getField("JAVA_INT").get(null);
          Object linker = linkerType.getMethod("nativeLinker").invoke(null);
          Object lookup = linkerType.getMethod("defaultLookup").invoke(linker);
          Method find =
              Class.forName("java.lang.foreign.SymbolLookup").getMethod("find", String.class);
          Object madviseSymbol = ((Optional<?>) find.invoke(lookup, "madvise")).orElseThrow();
          Object pageSizeSymbol = ((Optional<?>) find.invoke(lookup, "getpagesize")).orElseThrow();
          Method of = descriptorType.getMethod("of", layoutType, layoutType.arrayType());
          Object[] madviseArgs = (Object[]) Array.newInstance(layoutType, 3);
          madviseArgs[0] = javaLong;
          madviseArgs[1] = javaLong;
          madviseArgs[2] = javaInt;
          Object[] noArgs = (Object[]) Array.newInstance(layoutType, 0);
          Object noOptions = Array.newInstance(optionType, 0);
          Method downcall =
              linkerType.getMethod(
                  "downcallHandle", segmentType, descriptorType, optionType.arrayType());
          madvise =
              (MethodHandle)
                  downcall.invoke(
                      linker, madviseSymbol, of.invoke(null, javaInt, madviseArgs), noOptions);
          MethodHandle getPageSize =
              (MethodHandle)
                  downcall.invoke(
                      linker, pageSizeSymbol, of.invoke(null, javaInt, noArgs), noOptions);
          pageSize = (int) getPageSize.invokeWithArguments();
          ofBuffer = segmentType.getMethod("ofBuffer", Buffer.class);
          address = segmentType.getMethod("address");
        }
      } catch (Throwable e) {
        unavailable = "FFM lookup failed: " + e;
        madvise = null;
      }
      AVAILABLE = unavailable == null;
      MADVISE = madvise;
      OF_BUFFER = ofBuffer;
      ADDRESS = address;
      PAGE_SIZE = pageSize;
      LOG.log(
          System.Logger.Level.INFO,
          AVAILABLE
              ? "mapped index files are read at random: madvise(MADV_RANDOM), no read-around"
              : "mapped index files keep the kernel's read-around on page faults (no"
                  + " madvise(MADV_RANDOM): "
                  + unavailable
                  + ")");
    }

    /** Advice only: a failure costs read-around, not correctness, so it is logged, not thrown. */
    static boolean advise(ByteBuffer mapping) {
      String failure;
      try {
        long start = (long) ADDRESS.invoke(OF_BUFFER.invoke(null, mapping));
        // the buffer starts inside its mapping's first page: advise from that page
        long pageStart = start - Math.floorMod(start, PAGE_SIZE);
        long length = start - pageStart + mapping.capacity();
        int result = (int) MADVISE.invokeWithArguments(pageStart, length, MADV_RANDOM);
        if (result == 0) {
          return true;
        }
        failure = "madvise returned " + result;
      } catch (Throwable e) {
        failure = e.toString();
      }
      LOG.log(
          System.Logger.Level.WARNING,
          "a file mapping keeps the kernel's read-around (madvise(MADV_RANDOM): " + failure + ")");
      return false;
    }
  }
}
