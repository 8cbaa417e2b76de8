package io.zerocopy.bench.hnsw;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The cost of one visited node: builds (or reuses) our index over a {@code .vec} file, then runs
 * the queries single-threaded at one ef for {@code --seconds} after a warm-up, and prints QPS, the
 * vectors scored per query ({@link HnswIndex#scoredOnThisThread}) and nanoseconds per scored
 * vector. Run under a sampling profiler (bench/run-search-profile.sh) to split that cost by where
 * it goes: the measured phase runs in {@link #measure} only, the warm-up and build elsewhere.
 * Prints one line of {@code key=value} pairs on stdout.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks.jar io.zerocopy.bench.hnsw.SearchProfile \
 *   --train train.vec --queries queries.vec --metric l2 --ef 32 --index DIR [--seconds 20]
 *   [--warmup-seconds 5] [--m 16] [--ef-construction 200] [--threads 2] [--query-count 1000]
 * </pre>
 */
public final class SearchProfile {

  private SearchProfile() {}

  public static void main(String[] args) throws Exception {
    Path train = null;
    Path queriesFile = null;
    Path indexDir = Path.of("bench/target/profile-index");
    Metric metric = Metric.L2;
    int ef = 32;
    int k = 10;
    int m = 16;
    int efConstruction = 200;
    int threads = 2;
    int queryCount = 1000;
    double seconds = 20;
    double warmupSeconds = 5;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value");
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--train" -> train = Path.of(v);
        case "--queries" -> queriesFile = Path.of(v);
        case "--index" -> indexDir = Path.of(v);
        case "--metric" -> metric = Metric.parse(v);
        case "--ef" -> ef = Integer.parseInt(v);
        case "--k" -> k = Integer.parseInt(v);
        case "--m" -> m = Integer.parseInt(v);
        case "--ef-construction" -> efConstruction = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--query-count" -> queryCount = Integer.parseInt(v);
        case "--seconds" -> seconds = Double.parseDouble(v);
        case "--warmup-seconds" -> warmupSeconds = Double.parseDouble(v);
        default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
      }
    }
    if (train == null || queriesFile == null) {
      throw new IllegalArgumentException("--train and --queries are required");
    }
    float[][] queries;
    try (VectorStore store = VectorStore.open(queriesFile)) {
      // not HnswComparison.readQueries: its class needs the peers' jars, this one runs without
      queries = new float[(int) Math.min(queryCount, store.size())][];
      for (int q = 0; q < queries.length; q++) {
        queries[q] = store.get(q);
      }
    }
    String stem = train.getFileName().toString().replaceFirst("\\.vec$", "");
    Path graph =
        indexDir.resolve(
            String.format(
                Locale.ROOT,
                "%s-%d-%s-m%d-efc%d.hnsw",
                stem,
                Files.size(train),
                metric.id(),
                m,
                efConstruction));
    if (!Files.isRegularFile(graph)) {
      Files.createDirectories(indexDir);
      long started = System.nanoTime();
      try (VectorStore store = VectorStore.open(train);
          HnswIndex building = new HnswIndex(store, m, efConstruction, metric)) {
        building.build(threads);
        building.save(graph);
      }
      System.err.printf(
          Locale.ROOT, "built %s in %.1f s%n", graph, (System.nanoTime() - started) / 1e9);
    }
    try (HnswIndex index = HnswIndex.open(train, graph)) {
      warmUp(index, queries, k, ef, warmupSeconds);
      long scoredBefore = HnswIndex.scoredOnThisThread();
      long started = System.nanoTime();
      long searched = measure(index, queries, k, ef, seconds);
      double elapsed = (System.nanoTime() - started) / 1e9;
      long scored = HnswIndex.scoredOnThisThread() - scoredBefore;
      double readNanos = randomReadNanos(index.store());
      System.out.printf(
          Locale.ROOT,
          "jdk=%s queries=%d ef=%d seconds=%.2f qps=%.1f scored_per_query=%.1f"
              + " ns_per_query=%.0f ns_per_scored=%.1f ns_per_random_read=%.1f%n",
          System.getProperty("java.version"),
          searched,
          ef,
          elapsed,
          searched / elapsed,
          (double) scored / searched,
          elapsed * 1e9 / searched,
          elapsed * 1e9 / scored,
          readNanos);
    }
  }

  /**
   * The floor under a visited node's cost: copying one vector at a random id out of the mapped file
   * into a heap array, nothing else (best of 3 rounds of 2^20 reads).
   */
  private static double randomReadNanos(VectorStore store) {
    int n = (int) store.size();
    int[] ids = new int[1 << 20];
    java.util.SplittableRandom random = new java.util.SplittableRandom(1);
    for (int i = 0; i < ids.length; i++) {
      ids[i] = random.nextInt(n);
    }
    float[] scratch = new float[store.dimension()];
    double best = Double.MAX_VALUE;
    float sink = 0;
    for (int round = 0; round < 3; round++) {
      long started = System.nanoTime();
      for (int id : ids) {
        store.read(id, scratch, 0);
        sink += scratch[0];
      }
      best = Math.min(best, (System.nanoTime() - started) / (double) ids.length);
    }
    if (sink == Float.MIN_VALUE) {
      System.out.println(sink);
    }
    return best;
  }

  /** The JIT's warm-up: a profile keeps only the samples under {@link #measure}. */
  private static long warmUp(HnswIndex index, float[][] queries, int k, int ef, double seconds) {
    return run(index, queries, k, ef, seconds);
  }

  /** The measured phase, a method of its own so that a profile can tell its samples apart. */
  private static long measure(HnswIndex index, float[][] queries, int k, int ef, double seconds) {
    return run(index, queries, k, ef, seconds);
  }

  /** Searches the queries round-robin for about {@code seconds}; returns how many it ran. */
  private static long run(HnswIndex index, float[][] queries, int k, int ef, double seconds) {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    long searched = 0;
    long sink = 0;
    while (System.nanoTime() < deadline) {
      for (float[] query : queries) {
        sink += index.search(query, k, ef).size();
      }
      searched += queries.length;
    }
    if (sink < 0) {
      System.out.println(sink);
    }
    return searched;
  }
}
