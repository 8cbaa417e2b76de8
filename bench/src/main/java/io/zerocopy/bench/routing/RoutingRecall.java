package io.zerocopy.bench.routing;

import io.zerocopy.engine.cluster.Centroids;
import io.zerocopy.engine.cluster.KMeans;
import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.search.ParallelTasks;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How well routing by centroids keeps the true neighbours, before any Spark job: the k-means a
 * {@code partitioning=kmeans} write runs (its sample of about 256 rows per shard, seed 42, the
 * twice-the-mean cap), every vector assigned to its nearest centre, then for each held-out query
 * the recall@k of exact search restricted to its {@code nprobe} nearest clusters, against exact
 * search over everything. Also with boundary replicas (a vector also stored in up to 3 further
 * clusters whose centre is within {@code (1 + eps)} × its nearest centre's distance, as SPANN
 * does): the storage they cost and the recall they buy.
 *
 * <pre>
 * java -cp benchmarks.jar io.zerocopy.bench.routing.RoutingRecall train.vec queries.vec metric
 *     shards[,shards…] nprobe[,nprobe…] eps[,eps…] [k]
 * </pre>
 */
public final class RoutingRecall {

  private RoutingRecall() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 6) {
      System.err.println(
          "usage: RoutingRecall train.vec queries.vec metric shards,… nprobe,… eps,… [k]");
      System.exit(2);
    }
    float[][] data = read(Path.of(args[0]));
    float[][] queries = read(Path.of(args[1]));
    Metric metric = Metric.parse(args[2]);
    int[] shardCounts = ints(args[3]);
    int[] probes = ints(args[4]);
    double[] eps = Arrays.stream(args[5].split(",")).mapToDouble(Double::parseDouble).toArray();
    int k = args.length > 6 ? Integer.parseInt(args[6]) : 10;
    int[][] truth = truth(data, queries, metric, k);
    System.out.printf(
        Locale.ROOT,
        "| vectors | queries | metric | shards (centres) | largest shard / mean | eps | stored"
            + " copies | nprobe | recall@%d | train s |%n|---:|---:|---|---:|---:|---:|---:|---:|"
            + "---:|---:|%n",
        k);
    for (int shards : shardCounts) {
      long started = System.nanoTime();
      Centroids centroids = train(data, shards, metric);
      double trainSeconds = (System.nanoTime() - started) / 1e9;
      int[][] ranked = rankCentres(data, centroids);
      int[] sizes = new int[centroids.count()];
      for (int[] order : ranked) {
        sizes[order[0]]++;
      }
      double skew =
          Arrays.stream(sizes).max().getAsInt() / ((double) data.length / centroids.count());
      for (double e : eps) {
        boolean[][] stored = replicas(data, centroids, ranked, e, metric);
        long copies = 0;
        for (boolean[] in : stored) {
          for (boolean b : in) {
            copies += b ? 1 : 0;
          }
        }
        for (int nprobe : probes) {
          double recall = recall(queries, centroids, stored, truth, nprobe, k);
          System.out.printf(
              Locale.ROOT,
              "| %,d | %d | %s | %d (%d) | %.2f | %.2f | %.2fx | %d | %.3f | %.1f |%n",
              data.length,
              queries.length,
              metric.id(),
              shards,
              centroids.count(),
              skew,
              e,
              copies / (double) data.length,
              nprobe,
              recall,
              trainSeconds);
        }
      }
    }
  }

  private static float[][] read(Path file) throws Exception {
    try (VectorStore store = VectorStore.open(file)) {
      float[][] vectors = new float[Math.toIntExact(store.size())][];
      for (int i = 0; i < vectors.length; i++) {
        vectors[i] = store.get(i);
      }
      return vectors;
    }
  }

  private static int[] ints(String list) {
    return Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  /** The write's training: ~256 sampled rows per shard (seed 42), cap twice the mean. */
  private static Centroids train(float[][] data, int shards, Metric metric) {
    double fraction = Math.min(1.0, 1.2 * shards * KMeans.SAMPLE_PER_CLUSTER / data.length);
    SplittableRandom random = new SplittableRandom(42);
    List<float[]> sample = new ArrayList<>();
    for (float[] vector : data) {
      if (random.nextDouble() < fraction) {
        sample.add(vector);
      }
    }
    int k = Math.min(shards, sample.size());
    int cap = 2 * (int) Math.ceil((double) sample.size() / k);
    return KMeans.train(
            sample.toArray(new float[0][]),
            KMeans.Options.of(k, metric).withSeed(42).withMaxClusterSize(cap))
        .centroids();
  }

  /** Each vector's 4 nearest centres, nearest first (the first is where the write puts it). */
  private static int[][] rankCentres(float[][] data, Centroids centroids) {
    int[][] ranked = new int[data.length][];
    ParallelTasks.run(
        data.length,
        ParallelTasks.defaultThreads(),
        i -> ranked[i] = centroids.route(data[i], Math.min(4, centroids.count())));
    return ranked;
  }

  /** stored[i][c]: vector i is in cluster c (its nearest, and boundary replicas). */
  private static boolean[][] replicas(
      float[][] data, Centroids centroids, int[][] ranked, double eps, Metric metric) {
    boolean[][] stored = new boolean[data.length][centroids.count()];
    ParallelTasks.run(
        data.length,
        ParallelTasks.defaultThreads(),
        i -> {
          int[] order = ranked[i];
          stored[i][order[0]] = true;
          double nearest = distance(data[i], centroids.centroid(order[0]), metric);
          for (int t = 1; t < order.length; t++) {
            if (distance(data[i], centroids.centroid(order[t]), metric) <= (1 + eps) * nearest) {
              stored[i][order[t]] = true;
            }
          }
        });
    return stored;
  }

  /** Distances in the space the write assigns in: cosine for cosine data, else L2. */
  private static double distance(float[] a, float[] b, Metric metric) {
    return Distance.calculate(a, b, metric == Metric.COSINE ? Metric.COSINE : Metric.L2);
  }

  private static int[][] truth(float[][] data, float[][] queries, Metric metric, int k) {
    int[][] truth = new int[queries.length][];
    ParallelTasks.run(
        queries.length,
        ParallelTasks.defaultThreads(),
        q -> truth[q] = nearest(data, queries[q], metric, data.length));
    return truth; // each query's whole order: the restricted top-k walks it
  }

  /** All positions ordered by distance to the query (ties: lower position first). */
  private static int[] nearest(float[][] data, float[] query, Metric metric, int limit) {
    float[] distances = new float[data.length];
    Integer[] order = new Integer[data.length];
    for (int i = 0; i < data.length; i++) {
      distances[i] = Distance.calculate(query, data[i], metric);
      order[i] = i;
    }
    Arrays.sort(
        order,
        (a, b) -> distances[a] != distances[b] ? Float.compare(distances[a], distances[b]) : a - b);
    return Arrays.stream(order).limit(limit).mapToInt(Integer::intValue).toArray();
  }

  /** Mean share of the true top-k found by exact search over the probed clusters' vectors. */
  private static double recall(
      float[][] queries,
      Centroids centroids,
      boolean[][] stored,
      int[][] order,
      int nprobe,
      int k) {
    long hits = 0;
    for (int q = 0; q < queries.length; q++) {
      int[] probed = centroids.route(queries[q], nprobe);
      int found = 0;
      for (int position = 0; position < order[q].length && found < k; position++) {
        int i = order[q][position];
        for (int cluster : probed) {
          if (stored[i][cluster]) {
            found++;
            hits += position < k ? 1 : 0; // a true top-k vector the probed clusters hold
            break;
          }
        }
      }
    }
    return hits / (double) (queries.length * k);
  }
}
