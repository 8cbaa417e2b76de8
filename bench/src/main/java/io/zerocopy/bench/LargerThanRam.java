package io.zerocopy.bench;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.engine.store.VectorStoreWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * (d) Exact search over a {@code .vec} file larger than RAM, with a small heap (run with {@code
 * -Xmx1g}): generates the file with the streaming writer (clustered data: random centroids plus
 * uniform noise), maps it, runs a few single exact searches, reports seconds per query, GB/s and
 * peak memory, and deletes the file (unless {@code --keep}).
 *
 * <p>Memory: {@code VmHWM} (peak RSS) counts the mapped file pages that are resident, which the
 * kernel drops as it needs; the heap and other anonymous memory ({@code RssAnon}, sampled every 50
 * ms) is what must stay small.
 *
 * <pre>
 * java -Xmx1g --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *     io.zerocopy.bench.LargerThanRam --dir DIR [--gib 32] [--dimension 768] [--queries 3]
 *     [--threads 2] [--k 10] [--json out.json] [--keep]
 * </pre>
 */
public final class LargerThanRam {

  private LargerThanRam() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new TreeMap<>();
    boolean keep = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--keep")) {
        keep = true;
      } else if (args[i].startsWith("--") && i + 1 < args.length) {
        o.put(args[i].substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
      }
    }
    Path dir = Paths.get(required(o, "dir"));
    double gib = Double.parseDouble(o.getOrDefault("gib", "32"));
    int dimension = Integer.parseInt(o.getOrDefault("dimension", "768"));
    int queries = Integer.parseInt(o.getOrDefault("queries", "3"));
    int threads = Integer.parseInt(o.getOrDefault("threads", "2"));
    int k = Integer.parseInt(o.getOrDefault("k", "10"));
    Path json = o.containsKey("json") ? Paths.get(o.get("json")) : null;
    if (gib <= 0 || dimension < 1 || queries < 1 || threads < 1 || k < 1) {
      throw new IllegalArgumentException(
          "--gib, --dimension, --queries, --threads, --k must be > 0");
    }

    Files.createDirectories(dir);
    Path file = dir.resolve("larger-than-ram-" + ProcessHandle.current().pid() + ".vec");
    long vectors = (long) (gib * (1L << 30) / (dimension * (double) Float.BYTES));
    long fileBytes = 32 + vectors * dimension * (long) Float.BYTES;
    long ram = memTotalBytes();
    PrintStream out = System.out;
    out.printf(
        Locale.ROOT,
        "larger-than-RAM: %s, %,d x %d (%.2f GiB; RAM %.1f GiB; max heap %.2f GiB; kernel %s)%n",
        file,
        vectors,
        dimension,
        fileBytes / (double) (1L << 30),
        ram / (double) (1L << 30),
        Runtime.getRuntime().maxMemory() / (double) (1L << 30),
        Distance.kernelName());
    MemoryWatch watch = MemoryWatch.start();
    Map<String, Object> result = new TreeMap<>();
    try {
      SplittableRandom random = new SplittableRandom(20261123L);
      float[][] centroids = new float[256][dimension];
      for (float[] c : centroids) {
        for (int i = 0; i < dimension; i++) {
          c[i] = (float) (random.nextDouble() * 2 - 1);
        }
      }
      long t0 = System.nanoTime();
      generate(file, vectors, dimension, centroids, random);
      double writeSeconds = (System.nanoTime() - t0) / 1e9;
      out.printf(
          Locale.ROOT,
          "written in %.1f s (%.2f GB/s)%n",
          writeSeconds,
          fileBytes / writeSeconds / 1e9);

      warmUp(dir, dimension, centroids, random, k, threads);
      List<Double> seconds = new ArrayList<>();
      try (VectorStore store = VectorStore.open(file)) {
        for (int q = 0; q < queries; q++) {
          float[] query = point(centroids[(q * 37) % centroids.length], random, 0.1f);
          long s0 = System.nanoTime();
          List<Neighbor> hits = BruteForce.search(store, query, k, Metric.L2, threads);
          double s = (System.nanoTime() - s0) / 1e9;
          seconds.add(s);
          out.printf(
              Locale.ROOT,
              "query %d: %.2f s, %.2f GB/s, nearest id %d at %.3f; RssAnon peak %.0f MiB, VmHWM"
                  + " %.0f MiB%n",
              q,
              s,
              fileBytes / s / 1e9,
              hits.get(0).id(),
              hits.get(0).distance(),
              watch.peakAnon.get() / 1048576.0,
              status("VmHWM") / 1048576.0);
        }
      }
      double total = seconds.stream().mapToDouble(Double::doubleValue).sum();
      result.put("file_bytes", fileBytes);
      result.put("ram_bytes", ram);
      result.put("vectors", vectors);
      result.put("dimension", dimension);
      result.put("threads", threads);
      result.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
      result.put("write_seconds", writeSeconds);
      result.put("query_seconds", seconds);
      result.put("seconds_per_query", total / seconds.size());
      result.put("gb_per_second", fileBytes * seconds.size() / total / 1e9);
      result.put("kernel", Distance.kernelName());
    } finally {
      if (!keep) {
        Files.deleteIfExists(file);
        out.println("deleted " + file);
      }
      watch.stop();
    }
    result.put("vm_hwm_bytes", status("VmHWM"));
    result.put("rss_anon_peak_bytes", watch.peakAnon.get());
    result.put("rss_file_peak_bytes", watch.peakFile.get());
    out.printf(
        Locale.ROOT,
        "peak RSS (VmHWM) %.0f MiB, of which anonymous (heap etc.) peaked at %.0f MiB and mapped"
            + " file pages at %.0f MiB%n",
        status("VmHWM") / 1048576.0,
        watch.peakAnon.get() / 1048576.0,
        watch.peakFile.get() / 1048576.0);
    if (json != null) {
      Files.writeString(json, toJson(result), StandardCharsets.UTF_8);
    }
  }

  private static String required(Map<String, String> o, String name) {
    String v = o.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }

  /** Streams {@code vectors} clustered vectors through the writer, 1,024 at a time. */
  private static void generate(
      Path file, long vectors, int dimension, float[][] centroids, SplittableRandom random)
      throws IOException {
    int batch = 1024;
    float[] flat = new float[batch * dimension];
    long seed = random.nextLong() | 1;
    try (VectorStoreWriter writer = VectorStoreWriter.create(file, dimension)) {
      for (long done = 0; done < vectors; ) {
        int n = (int) Math.min(batch, vectors - done);
        for (int v = 0; v < n; v++) {
          float[] c = centroids[(int) ((done + v) * 2654435761L >>> 8) & (centroids.length - 1)];
          int base = v * dimension;
          for (int i = 0; i < dimension; i++) {
            seed ^= seed << 13;
            seed ^= seed >>> 7;
            seed ^= seed << 17;
            // uniform noise in [-0.25, 0.25) from the top 24 bits of an xorshift
            flat[base + i] = c[i] + ((seed >>> 40) * 0x1p-24f - 0.5f) * 0.5f;
          }
        }
        writer.append(flat, 0, n);
        done += n;
      }
      writer.commit();
    }
  }

  /** Compiles the search path on a small file first, so query 0 measures I/O, not the JIT. */
  private static void warmUp(
      Path dir, int dimension, float[][] centroids, SplittableRandom random, int k, int threads)
      throws IOException {
    Path small = dir.resolve("warm-up-" + ProcessHandle.current().pid() + ".vec");
    try {
      generate(small, 20_000, dimension, centroids, random);
      try (VectorStore store = VectorStore.open(small)) {
        for (int i = 0; i < 30; i++) {
          BruteForce.search(store, point(centroids[i], random, 0.1f), k, Metric.L2, threads);
        }
      }
    } finally {
      Files.deleteIfExists(small);
    }
  }

  private static float[] point(float[] centroid, SplittableRandom random, float noise) {
    float[] p = centroid.clone();
    for (int i = 0; i < p.length; i++) {
      p[i] += (float) ((random.nextDouble() * 2 - 1) * noise);
    }
    return p;
  }

  /** A field of /proc/self/status in bytes (0 where there is no /proc). */
  static long status(String field) {
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
        if (line.startsWith(field + ":")) {
          String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  private static long memTotalBytes() {
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  private static String toJson(Map<String, Object> map) {
    StringBuilder s = new StringBuilder("{");
    for (Map.Entry<String, Object> e : map.entrySet()) {
      if (s.length() > 1) {
        s.append(", ");
      }
      s.append('"').append(e.getKey()).append("\": ");
      Object v = e.getValue();
      s.append(v instanceof String ? "\"" + v + "\"" : String.valueOf(v));
    }
    return s.append("}\n").toString();
  }

  /** Samples RssAnon and RssFile every 50 ms; /proc has no peak for them. */
  private static final class MemoryWatch implements Runnable {
    final AtomicLong peakAnon = new AtomicLong();
    final AtomicLong peakFile = new AtomicLong();
    private volatile boolean running = true;
    private Thread thread;

    static MemoryWatch start() {
      MemoryWatch w = new MemoryWatch();
      w.thread = new Thread(w, "memory-watch");
      w.thread.setDaemon(true);
      w.thread.start();
      return w;
    }

    @Override
    public void run() {
      while (running) {
        peakAnon.accumulateAndGet(status("RssAnon"), Math::max);
        peakFile.accumulateAndGet(status("RssFile"), Math::max);
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void stop() throws InterruptedException {
      running = false;
      thread.interrupt();
      thread.join();
      peakAnon.accumulateAndGet(status("RssAnon"), Math::max);
      peakFile.accumulateAndGet(status("RssFile"), Math::max);
    }
  }
}
