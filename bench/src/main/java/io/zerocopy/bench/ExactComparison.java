package io.zerocopy.bench;

import io.zerocopy.datasets.Ivecs;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Our exact search as bench/run-exact-benchmarks.sh compares it with a C read loop, numpy and faiss
 * {@code IndexFlat} (issue 28 step 5): single queries round-robin for {@code --seconds} after a
 * warm-up (queries per second, and the file's bytes read per second), then a batch of {@code
 * --batch-queries} in one {@link BruteForce#searchBatch} call ({@code --repeats} times after one
 * warm-up pass; the median). Writes the batch's neighbour ids as {@code .ivecs} for the peers'
 * agreement check and prints one line of {@code key=value} pairs.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks.jar io.zerocopy.bench.ExactComparison \
 *   --train train.vec --queries queries.vec --metric l2 --ids-out ours.ivecs [--threads 2] [--k 10]
 *   [--single-queries 100] [--batch-queries 1000] [--seconds 10] [--warmup-seconds 3] [--repeats 3]
 * </pre>
 */
public final class ExactComparison {

  private ExactComparison() {}

  public static void main(String[] args) throws Exception {
    Path train = null;
    Path queriesFile = null;
    Path idsOut = null;
    Metric metric = Metric.L2;
    int threads = 2;
    int k = 10;
    int singleQueries = 100;
    int batchQueries = 1000;
    double seconds = 10;
    double warmupSeconds = 3;
    int repeats = 3;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value");
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--train" -> train = Path.of(v);
        case "--queries" -> queriesFile = Path.of(v);
        case "--ids-out" -> idsOut = Path.of(v);
        case "--metric" -> metric = Metric.parse(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--k" -> k = Integer.parseInt(v);
        case "--single-queries" -> singleQueries = Integer.parseInt(v);
        case "--batch-queries" -> batchQueries = Integer.parseInt(v);
        case "--seconds" -> seconds = Double.parseDouble(v);
        case "--warmup-seconds" -> warmupSeconds = Double.parseDouble(v);
        case "--repeats" -> repeats = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
      }
    }
    if (train == null || queriesFile == null || idsOut == null) {
      throw new IllegalArgumentException("--train, --queries and --ids-out are required");
    }
    float[][] batch = FirstQueries.read(queriesFile, batchQueries);
    float[][] single = Arrays.copyOf(batch, Math.min(singleQueries, batch.length));
    try (VectorStore store = VectorStore.open(train)) {
      long bytes = store.size() * store.dimension() * (long) Float.BYTES;
      singlePass(store, single, k, metric, threads, warmupSeconds);
      long started = System.nanoTime();
      long searched = singlePass(store, single, k, metric, threads, seconds);
      double singleSeconds = (System.nanoTime() - started) / 1e9;
      double qps = searched / singleSeconds;

      List<List<Neighbor>> results = BruteForce.searchBatch(store, batch, k, metric, threads);
      double[] times = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        long t0 = System.nanoTime();
        results = BruteForce.searchBatch(store, batch, k, metric, threads);
        times[r] = (System.nanoTime() - t0) / 1e9;
      }
      Arrays.sort(times);
      int[][] ids = new int[results.size()][];
      for (int q = 0; q < ids.length; q++) {
        ids[q] = results.get(q).stream().mapToInt(n -> (int) n.id()).toArray();
      }
      Ivecs.write(idsOut, ids);
      System.out.printf(
          Locale.ROOT,
          "jdk=%s threads=%d single_queries_per_second=%.2f single_gb_per_second=%.3f"
              + " batch_queries=%d batch_seconds=%.4f%n",
          System.getProperty("java.version"),
          threads,
          qps,
          qps * bytes / 1e9,
          batch.length,
          times[times.length / 2]);
    }
  }

  /** Single queries round-robin for {@code seconds}; returns how many ran. */
  private static long singlePass(
      VectorStore store, float[][] queries, int k, Metric metric, int threads, double seconds) {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    long searched = 0;
    do {
      BruteForce.search(store, queries[(int) (searched % queries.length)], k, metric, threads);
      searched++;
    } while (System.nanoTime() < deadline);
    return searched;
  }
}
