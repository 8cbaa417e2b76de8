package io.zerocopy.bench.hnsw;

import io.zerocopy.engine.codes.QuantizedCodes;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.Mappings;
import io.zerocopy.engine.store.VectorStore;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Issue 29 step 4: graph search from a {@code .vec} larger than the memory the process may use
 * (bench/run-memory-limited.sh runs it in a memory-limited cgroup, page cache included).
 *
 * <pre>
 * MemoryLimitedSearch prepare --train T.vec --queries Q.vec --metric cosine --dir DIR
 *     builds DIR/index.hnsw, DIR/index.i8 and DIR/index.pq (once) and DIR/truth.bin, outside
 *     the limit
 * MemoryLimitedSearch search --train T.vec --queries Q.vec --dir DIR --codes none|int8|pq
 *     [--ef 50] [--seconds 30] [--k 10]
 *     single-thread searches round-robin for about --seconds; prints qps, recall@k, major faults
 * </pre>
 */
public final class MemoryLimitedSearch {

  private MemoryLimitedSearch() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !(args[0].equals("prepare") || args[0].equals("search"))) {
      throw new IllegalArgumentException("first argument: prepare or search");
    }
    Path train = null;
    Path queriesFile = null;
    Path dir = null;
    Metric metric = Metric.COSINE;
    String codes = "none";
    int ef = 50;
    int k = 10;
    double seconds = 30;
    int queryCount = 1000;
    for (int i = 1; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value");
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--train" -> train = Path.of(v);
        case "--queries" -> queriesFile = Path.of(v);
        case "--dir" -> dir = Path.of(v);
        case "--metric" -> metric = Metric.parse(v);
        case "--codes" -> codes = v;
        case "--ef" -> ef = Integer.parseInt(v);
        case "--k" -> k = Integer.parseInt(v);
        case "--seconds" -> seconds = Double.parseDouble(v);
        case "--query-count" -> queryCount = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
      }
    }
    if (train == null || queriesFile == null || dir == null) {
      throw new IllegalArgumentException("--train, --queries and --dir are required");
    }
    float[][] queries = read(queriesFile, queryCount);
    if (args[0].equals("prepare")) {
      prepare(train, queries, dir, metric, k);
    } else {
      search(train, queries, dir, codes, ef, k, seconds);
    }
  }

  private static void prepare(Path train, float[][] queries, Path dir, Metric metric, int k)
      throws IOException {
    Files.createDirectories(dir);
    Path graph = dir.resolve("index.hnsw");
    try (VectorStore store = VectorStore.open(train)) {
      if (!Files.exists(graph)) {
        try (HnswIndex index = new HnswIndex(store, 16, 200, metric)) {
          index.build(2);
          index.save(graph);
        }
      }
      for (QuantizedCodes.Kind kind : QuantizedCodes.Kind.values()) {
        Path codes = codesFile(dir, kind.id());
        if (!Files.exists(codes)) {
          try (HnswIndex index = HnswIndex.open(train, graph)) {
            index.quantize(codes, kind);
          }
        }
      }
      List<List<Neighbor>> truth = BruteForce.searchBatch(store, queries, k, metric);
      try (DataOutputStream out =
          new DataOutputStream(Files.newOutputStream(dir.resolve("truth.bin")))) {
        out.writeInt(queries.length);
        out.writeInt(k);
        for (List<Neighbor> row : truth) {
          for (Neighbor n : row) {
            out.writeInt((int) n.id());
          }
        }
      }
    }
  }

  private static void search(
      Path train, float[][] queries, Path dir, String codes, int ef, int k, double seconds)
      throws IOException {
    // big-endian, as DataOutputStream wrote it
    ByteBuffer truthBytes = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("truth.bin")));
    int rows = truthBytes.getInt();
    int width = truthBytes.getInt();
    if (rows != queries.length || width != k) {
      throw new IllegalArgumentException(
          dir.resolve("truth.bin")
              + ": "
              + rows
              + " x "
              + width
              + ", expected "
              + queries.length
              + " x "
              + k
              + ": run prepare with the same queries and k");
    }
    int[][] truth = new int[rows][width];
    for (int[] row : truth) {
      for (int j = 0; j < width; j++) {
        row[j] = truthBytes.getInt();
      }
    }
    Path graph = dir.resolve("index.hnsw");
    long faultsBefore = majorFaults();
    try (HnswIndex index =
        codes.equals("none")
            ? HnswIndex.open(train, graph)
            : HnswIndex.open(train, graph, codesFile(dir, codes))) {
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      long started = System.nanoTime();
      int searched = 0;
      long hits = 0;
      while (System.nanoTime() < deadline) {
        int q = searched % queries.length;
        List<Neighbor> found = index.search(queries[q], k, ef);
        Set<Integer> want = new HashSet<>();
        for (int id : truth[q]) {
          want.add(id);
        }
        for (Neighbor n : found) {
          hits += want.contains((int) n.id()) ? 1 : 0;
        }
        searched++;
      }
      double elapsed = (System.nanoTime() - started) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "codes=%s advice=%s ef=%d queries=%d seconds=%.1f qps=%.1f recall=%.4f"
              + " major_faults_per_query=%.1f%n",
          codes,
          Mappings.randomAdviceSupported() ? "random" : "read-around",
          ef,
          searched,
          elapsed,
          searched / elapsed,
          hits / (double) (searched * (long) k),
          (majorFaults() - faultsBefore) / (double) searched);
    }
  }

  /** DIR/index.i8 or DIR/index.pq. */
  private static Path codesFile(Path dir, String kind) {
    return dir.resolve(kind.equals("int8") ? "index.i8" : "index." + kind);
  }

  /** Major page faults of this process so far (field 12 of /proc/self/stat). */
  private static long majorFaults() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[9]);
  }

  private static float[][] read(Path file, int limit) throws IOException {
    try (VectorStore store = VectorStore.open(file)) {
      float[][] vectors = new float[(int) Math.min(limit, store.size())][];
      for (int i = 0; i < vectors.length; i++) {
        vectors[i] = store.get(i);
      }
      return vectors;
    }
  }
}
