package io.zerocopy.engine.store;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
   * with this advice. Java has no API for it but the FFM API: this JDK 17 bytecode reaches it by
   * reflection, on Linux, on JDK 22+ and on JDK 17 (there with {@code --add-modules
   * jdk.incubator.foreign}), where the JVM grants native access ({@code
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

  /**
   * madvise through the FFM API, looked up once, on first use: the final API on JDK 22+, the
   * incubator one ({@code jdk.incubator.foreign}, added with {@code --add-modules}) on JDK 17. JDK
   * 18-21 have other incubator or preview shapes of it and are not served.
   */
  private static final class RandomAdvice {
    private static final int MADV_RANDOM = 1; // Linux, every architecture the JDK runs on
    private static final boolean AVAILABLE;
    private static final MethodHandle MADVISE; // (long address, long length, int advice) -> int
    private static final MethodHandle ADDRESS; // (ByteBuffer) -> long, its first byte's address
    private static final long PAGE_SIZE;

    static {
      MethodHandle[] linked = null;
      String unavailable = null;
      int feature = Runtime.version().feature();
      try {
        String asked = System.getProperty("zcs.mapping.advice", "random");
        if (!asked.equals("random")) {
          unavailable =
              asked.equals("normal")
                  ? "system property zcs.mapping.advice=normal"
                  : "system property zcs.mapping.advice='"
                      + asked
                      + "': expected random (the default) or normal";
        } else if (!System.getProperty("os.name", "").startsWith("Linux")) {
          unavailable = "not Linux";
        } else if (feature >= 22) {
          if ((Boolean)
              Module.class.getMethod("isNativeAccessEnabled").invoke(Mappings.class.getModule())) {
            linked = linkFinal();
          } else {
            unavailable = "the JVM runs without --enable-native-access=ALL-UNNAMED";
          }
        } else if (feature == 17) {
          if (ModuleLayer.boot().findModule("jdk.incubator.foreign").isPresent()) {
            linked = linkIncubator17();
          } else {
            unavailable =
                "JDK 17 without --add-modules jdk.incubator.foreign"
                    + " --enable-native-access=ALL-UNNAMED";
          }
        } else {
          unavailable = "JDK " + feature + ": the FFM API is final from JDK 22 (served: 17, 22+)";
        }
      } catch (Throwable e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        unavailable =
            "FFM lookup failed: "
                + cause
                + (cause instanceof IllegalCallerException
                    ? " (run with --enable-native-access=ALL-UNNAMED)"
                    : "");
        linked = null;
      }
      long pageSize = 0;
      if (linked != null) {
        try {
          pageSize = (int) linked[2].invokeWithArguments();
        } catch (Throwable e) {
          unavailable = "getpagesize failed: " + e;
          linked = null;
        }
      }
      AVAILABLE = linked != null;
      MADVISE = linked == null ? null : linked[0];
      ADDRESS = linked == null ? null : linked[1];
      PAGE_SIZE = pageSize;
      boolean misconfigured = unavailable != null && unavailable.contains("expected random");
      LOG.log(
          misconfigured ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
          AVAILABLE
              ? "mapped index files are read at random: madvise(MADV_RANDOM), no read-around"
              : "mapped index files keep the kernel's read-around on page faults (no"
                  + " madvise(MADV_RANDOM): "
                  + unavailable
                  + ")");
    }

    /** madvise, the buffer address and getpagesize, through java.lang.foreign (JDK 22+). */
    private static MethodHandle[] linkFinal() throws Throwable {
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
      Method find = Class.forName("java.lang.foreign.SymbolLookup").getMethod("find", String.class);
      Method of = descriptorType.getMethod("of", layoutType, layoutType.arrayType());
      Method downcall =
          linkerType.getMethod(
              "downcallHandle", segmentType, descriptorType, optionType.arrayType());
      Object noOptions = Array.newInstance(optionType, 0);
      MethodHandle madvise =
          (MethodHandle)
              downcall.invoke(
                  linker,
                  ((Optional<?>) find.invoke(lookup, "madvise")).orElseThrow(),
                  of.invoke(null, javaInt, layouts(layoutType, javaLong, javaLong, javaInt)),
                  noOptions);
      MethodHandle pageSize =
          (MethodHandle)
              downcall.invoke(
                  linker,
                  ((Optional<?>) find.invoke(lookup, "getpagesize")).orElseThrow(),
                  of.invoke(null, javaInt, layouts(layoutType)),
                  noOptions);
      MethodHandles.Lookup methods = MethodHandles.publicLookup();
      MethodHandle address =
          MethodHandles.filterReturnValue(
              methods.unreflect(segmentType.getMethod("ofBuffer", Buffer.class)),
              methods.unreflect(segmentType.getMethod("address")));
      return new MethodHandle[] {
        madvise, address.asType(MethodType.methodType(long.class, ByteBuffer.class)), pageSize
      };
    }

    /** The same through JDK 17's jdk.incubator.foreign (JEP 412). */
    private static MethodHandle[] linkIncubator17() throws Throwable {
      Class<?> linkerType = Class.forName("jdk.incubator.foreign.CLinker");
      Class<?> segmentType = Class.forName("jdk.incubator.foreign.MemorySegment");
      Class<?> addressType = Class.forName("jdk.incubator.foreign.MemoryAddress");
      Class<?> layoutType = Class.forName("jdk.incubator.foreign.MemoryLayout");
      Class<?> descriptorType = Class.forName("jdk.incubator.foreign.FunctionDescriptor");
      Object cLong = linkerType.getField("C_LONG").get(null); // 64 bits on Linux
      Object cInt = linkerType.getField("C_INT").get(null);
      Object linker = linkerType.getMethod("getInstance").invoke(null);
      Object lookup = linkerType.getMethod("systemLookup").invoke(null);
      Method find =
          Class.forName("jdk.incubator.foreign.SymbolLookup").getMethod("lookup", String.class);
      Method of = descriptorType.getMethod("of", layoutType, layoutType.arrayType());
      Method downcall =
          linkerType.getMethod(
              "downcallHandle",
              Class.forName("jdk.incubator.foreign.Addressable"),
              MethodType.class,
              descriptorType);
      MethodHandle madvise =
          (MethodHandle)
              downcall.invoke(
                  linker,
                  ((Optional<?>) find.invoke(lookup, "madvise")).orElseThrow(),
                  MethodType.methodType(int.class, long.class, long.class, int.class),
                  of.invoke(null, cInt, layouts(layoutType, cLong, cLong, cInt)));
      MethodHandle pageSize =
          (MethodHandle)
              downcall.invoke(
                  linker,
                  ((Optional<?>) find.invoke(lookup, "getpagesize")).orElseThrow(),
                  MethodType.methodType(int.class),
                  of.invoke(null, cInt, layouts(layoutType)));
      MethodHandles.Lookup methods = MethodHandles.publicLookup();
      MethodHandle address =
          MethodHandles.filterReturnValue(
              MethodHandles.filterReturnValue(
                  methods.unreflect(segmentType.getMethod("ofByteBuffer", ByteBuffer.class)),
                  methods.unreflect(segmentType.getMethod("address"))),
              methods.unreflect(addressType.getMethod("toRawLongValue")));
      return new MethodHandle[] {
        madvise, address.asType(MethodType.methodType(long.class, ByteBuffer.class)), pageSize
      };
    }

    private static Object layouts(Class<?> layoutType, Object... layouts) {
      Object array = Array.newInstance(layoutType, layouts.length);
      for (int i = 0; i < layouts.length; i++) {
        Array.set(array, i, layouts[i]);
      }
      return array;
    }

    /** Advice only: a failure costs read-around, not correctness, so it is logged, not thrown. */
    static boolean advise(ByteBuffer mapping) {
      String failure;
      try {
        long start = (long) ADDRESS.invoke(mapping);
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
