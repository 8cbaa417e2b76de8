package io.zerocopy.engine.cluster;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.search.ParallelTasks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * k-means for routing centroids: greedy k-means++ seeding on a sample, then Lloyd iterations whose
 * assignment step (every point against every centre) runs on the SIMD kernels on all threads. Empty
 * clusters are re-seeded with the point farthest from its centre; with a size cap, a cluster larger
 * than the cap is split by k-means within it until none is. Deterministic for a seed: the same
 * centres whatever the thread count (sums are taken in point order).
 *
 * <p>Clusters live in Euclidean space ({@link Centroids}): cosine data is normalised and its
 * centres re-normalised after each update (spherical k-means); inner-product data is clustered by
 * L2. The {@linkplain Result#objective objective} is the sum of squared L2 distances of the points
 * (normalised for cosine) to their centres.
 */
public final class KMeans {

  /** Lloyd iterations at most (faiss's default is 25 as well). */
  public static final int DEFAULT_ITERATIONS = 25;

  /** Stop when an iteration lowers the objective by less than this fraction. */
  public static final double DEFAULT_TOLERANCE = 1e-4;

  /**
   * Points per centre worth training on: more barely moves the centres of a mixture (faiss warns
   * below 39 and samples down to 256 per centre). For callers that draw the sample.
   */
  public static final int SAMPLE_PER_CLUSTER = 256;

  private static final VectorKernel KERNEL = VectorKernel.selected();

  /** Points per centre k-means++ seeding draws from, at most. */
  static final int SEED_SAMPLE_PER_CLUSTER = 64;

  /** Points per parallel task in the assignment step. */
  private static final int CHUNK = 1024;

  /**
   * What to train.
   *
   * @param clusters centres to find, at least 1 and at most the number of points
   * @param metric the dataset's metric (decides the space, see {@link Centroids})
   * @param seed the seed of every random choice
   * @param iterations Lloyd iterations at most
   * @param tolerance relative objective improvement below which iterations stop
   * @param maxClusterSize the most points a cluster may keep (0: no cap); larger ones are split, so
   *     the result may have more than {@code clusters} centres
   * @param threads threads of the assignment step
   */
  public record Options(
      int clusters,
      Metric metric,
      long seed,
      int iterations,
      double tolerance,
      int maxClusterSize,
      int threads) {

    public Options {
      if (clusters < 1) {
        throw new IllegalArgumentException("clusters must be >= 1, got " + clusters);
      }
      if (metric == null) {
        throw new IllegalArgumentException("metric must not be null");
      }
      if (iterations < 1) {
        throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
      }
      if (!(tolerance >= 0)) {
        throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
      }
      if (maxClusterSize < 0) {
        throw new IllegalArgumentException(
            "maxClusterSize must be >= 0 (0: no cap), got " + maxClusterSize);
      }
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1, got " + threads);
      }
    }

    /** Defaults: seed 42, {@value #DEFAULT_ITERATIONS} iterations, no cap, every core. */
    public static Options of(int clusters, Metric metric) {
      return new Options(
          clusters,
          metric,
          42,
          DEFAULT_ITERATIONS,
          DEFAULT_TOLERANCE,
          0,
          ParallelTasks.defaultThreads());
    }

    public Options withSeed(long value) {
      return new Options(clusters, metric, value, iterations, tolerance, maxClusterSize, threads);
    }

    public Options withIterations(int value) {
      return new Options(clusters, metric, seed, value, tolerance, maxClusterSize, threads);
    }

    public Options withMaxClusterSize(int value) {
      return new Options(clusters, metric, seed, iterations, tolerance, value, threads);
    }

    public Options withThreads(int value) {
      return new Options(clusters, metric, seed, iterations, tolerance, maxClusterSize, value);
    }
  }

  /**
   * A trained clustering of the training points.
   *
   * @param centroids the centres ({@code sizes.length} of them)
   * @param assignments each training point's cluster
   * @param sizes points per cluster
   * @param objective sum of squared L2 distances to the centres, in cluster space
   * @param iterations Lloyd iterations run
   * @param reseeded empty clusters re-seeded over all iterations
   * @param splits clusters split to respect the size cap
   */
  public record Result(
      Centroids centroids,
      int[] assignments,
      int[] sizes,
      double objective,
      int iterations,
      int reseeded,
      int splits) {}

  private KMeans() {}

  /** Clusters {@code vectors} (all of one dimension, finite). */
  public static Result train(float[][] vectors, Options options) {
    if (vectors == null || vectors.length == 0) {
      throw new IllegalArgumentException("k-means needs at least one vector");
    }
    int n = vectors.length;
    int dimension = vectors[0].length;
    if (options.clusters() > n) {
      throw new IllegalArgumentException(
          "cannot make " + options.clusters() + " clusters of " + n + " vectors");
    }
    float[] data = new float[Math.multiplyExact(n, dimension)];
    for (int i = 0; i < n; i++) {
      float[] vector = vectors[i];
      if (vector == null || vector.length != dimension) {
        throw new IllegalArgumentException(
            "vector "
                + i
                + " has dimension "
                + (vector == null ? "null" : vector.length)
                + ", vector 0 has "
                + dimension);
      }
      for (int j = 0; j < dimension; j++) {
        if (!Float.isFinite(vector[j])) {
          throw new IllegalArgumentException(
              "vector " + i + " has a non-finite value at position " + j);
        }
      }
      float[] point = options.metric() == Metric.COSINE ? Centroids.normalized(vector) : vector;
      System.arraycopy(point, 0, data, i * dimension, dimension);
    }
    Lloyd lloyd = new Lloyd(data, n, dimension, options);
    lloyd.run();
    int splits = options.maxClusterSize() > 0 ? lloyd.capSizes() : 0;
    return new Result(
        new Centroids(lloyd.centroids, lloyd.k, dimension, options.metric()),
        lloyd.assignments,
        lloyd.sizes(),
        lloyd.objective,
        lloyd.iterations,
        lloyd.reseeded,
        splits);
  }

  /** One training run over row-major points already in cluster space. */
  private static final class Lloyd {
    final float[] data;
    final int n;
    final int d;
    final Options options;
    final boolean spherical;
    float[] centroids;
    int k;
    final int[] assignments;
    final float[] distances;
    double objective = Double.POSITIVE_INFINITY;
    int iterations;
    int reseeded;

    Lloyd(float[] data, int n, int d, Options options) {
      this.data = data;
      this.n = n;
      this.d = d;
      this.options = options;
      this.spherical = options.metric() == Metric.COSINE;
      this.k = options.clusters();
      this.assignments = new int[n];
      this.distances = new float[n];
    }

    void run() {
      centroids = seed(new SplittableRandom(options.seed()));
      for (iterations = 1; iterations <= options.iterations(); iterations++) {
        double previous = objective;
        objective = assign();
        update();
        if (previous < Double.POSITIVE_INFINITY
            && previous - objective <= options.tolerance() * previous) {
          break;
        }
      }
      iterations = Math.min(iterations, options.iterations());
      objective = assign(); // the result's assignments belong to the final centres
    }

    /**
     * Greedy k-means++ on at most {@value #SEED_SAMPLE_PER_CLUSTER} points per centre: each next
     * centre is the best, by the potential it leaves, of {@code 2 + ln k} candidates drawn with
     * probability proportional to D². Plain k-means++ often puts two centres in one component of a
     * mixture and none in another once the dimension is not small (the noise of the covered
     * components outweighs one uncovered component), a local optimum Lloyd cannot leave.
     */
    float[] seed(SplittableRandom random) {
      int[] pool = seedPool(random);
      int m = pool.length;
      float[] centres = new float[k * d];
      System.arraycopy(data, pool[random.nextInt(m)] * d, centres, 0, d);
      float[] nearest = new float[m];
      distancesTo(pool, centres, 0, nearest, null);
      int trials = 2 + (int) Math.log(k);
      float[] candidate = new float[m];
      float[] best = new float[m];
      for (int c = 1; c < k; c++) {
        double total = 0;
        for (float distance : nearest) {
          total += distance;
        }
        double bestPotential = Double.POSITIVE_INFINITY;
        int bestPoint = -1;
        for (int t = 0; t < trials; t++) {
          int chosen = total == 0 ? random.nextInt(m) : draw(nearest, random.nextDouble() * total);
          double potential = distancesTo(pool, data, pool[chosen] * d, candidate, nearest);
          if (potential < bestPotential) {
            bestPotential = potential;
            bestPoint = chosen;
            System.arraycopy(candidate, 0, best, 0, m);
          }
        }
        System.arraycopy(data, pool[bestPoint] * d, centres, c * d, d);
        System.arraycopy(best, 0, nearest, 0, m);
      }
      return centres;
    }

    /** The points seeding draws from: all of them, or a uniform sample of them. */
    private int[] seedPool(SplittableRandom random) {
      long limit = (long) k * SEED_SAMPLE_PER_CLUSTER;
      int[] all = IntStream.range(0, n).toArray();
      if (n <= limit) {
        return all;
      }
      for (int i = 0; i < limit; i++) { // partial Fisher-Yates
        int j = i + random.nextInt(n - i);
        int swap = all[i];
        all[i] = all[j];
        all[j] = swap;
      }
      int[] pool = Arrays.copyOf(all, (int) limit);
      Arrays.sort(pool);
      return pool;
    }

    /** The position where the running sum of {@code weights} first exceeds {@code target}. */
    private static int draw(float[] weights, double target) {
      double sum = 0;
      for (int i = 0; i < weights.length; i++) {
        sum += weights[i];
        if (sum > target) {
          return i;
        }
      }
      return weights.length - 1;
    }

    /**
     * {@code out[i]} = squared L2 from pool point i to the centre at {@code centres[offset]},
     * capped by {@code cap[i]} when given; returns the sum (in pool order: deterministic).
     */
    private double distancesTo(int[] pool, float[] centres, int offset, float[] out, float[] cap) {
      int m = pool.length;
      int chunks = (m + CHUNK - 1) / CHUNK;
      double[] partial = new double[chunks];
      ParallelTasks.run(
          chunks,
          options.threads(),
          chunk -> {
            int end = Math.min(m, (chunk + 1) * CHUNK);
            double sum = 0;
            for (int i = chunk * CHUNK; i < end; i++) {
              float distance = KERNEL.squareDistance(data, pool[i] * d, centres, offset, d);
              out[i] = cap == null ? distance : Math.min(distance, cap[i]);
              sum += out[i];
            }
            partial[chunk] = sum;
          });
      double total = 0;
      for (double sum : partial) {
        total += sum;
      }
      return total;
    }

    /** Every point to its nearest centre (ties to the lower); returns the objective. */
    double assign() {
      int chunks = (n + CHUNK - 1) / CHUNK;
      float[] centres = centroids;
      int clusters = k;
      double[] partial = new double[chunks];
      ParallelTasks.run(
          chunks,
          options.threads(),
          chunk -> {
            float[] scores = new float[clusters];
            int end = Math.min(n, (chunk + 1) * CHUNK);
            double sum = 0;
            for (int i = chunk * CHUNK; i < end; i++) {
              KERNEL.squareDistances(data, i * d, centres, 0, clusters, d, scores, 0);
              int best = 0;
              for (int c = 1; c < clusters; c++) {
                if (scores[c] < scores[best]) {
                  best = c;
                }
              }
              assignments[i] = best;
              distances[i] = scores[best];
              sum += scores[best];
            }
            partial[chunk] = sum;
          });
      double total = 0;
      for (double sum : partial) {
        total += sum; // chunk order: the same total on any thread count
      }
      return total;
    }

    /** Centres to the means of their points; empty clusters re-seeded. */
    void update() {
      double[] sums = new double[k * d];
      int[] sizes = sizes();
      int blocks = (d + 15) / 16;
      ParallelTasks.run(
          blocks,
          options.threads(),
          block -> {
            int from = block * 16;
            int to = Math.min(d, from + 16);
            for (int i = 0; i < n; i++) { // point order in every column: deterministic sums
              int base = assignments[i] * d;
              int row = i * d;
              for (int j = from; j < to; j++) {
                sums[base + j] += data[row + j];
              }
            }
          });
      for (int c = 0; c < k; c++) {
        if (sizes[c] == 0) {
          continue;
        }
        for (int j = 0; j < d; j++) {
          centroids[c * d + j] = (float) (sums[c * d + j] / sizes[c]);
        }
        if (spherical) {
          normalize(centroids, c * d, d);
        }
      }
      reseedEmpty(sizes);
    }

    /** Each empty cluster takes the point farthest from its centre among clusters of 2 or more. */
    void reseedEmpty(int[] sizes) {
      List<Integer> empty = new ArrayList<>();
      for (int c = 0; c < k; c++) {
        if (sizes[c] == 0) {
          empty.add(c);
        }
      }
      if (empty.isEmpty()) {
        return;
      }
      Integer[] farthest = new Integer[n];
      for (int i = 0; i < n; i++) {
        farthest[i] = i;
      }
      Arrays.sort(
          farthest,
          (a, b) ->
              distances[a] != distances[b] ? Float.compare(distances[b], distances[a]) : a - b);
      int next = 0;
      for (int c : empty) {
        while (next < n && sizes[assignments[farthest[next]]] < 2) {
          next++;
        }
        if (next == n) {
          break; // fewer distinct points than clusters: the cluster stays empty
        }
        int point = farthest[next++];
        sizes[assignments[point]]--;
        sizes[c]++;
        assignments[point] = c;
        distances[point] = 0;
        System.arraycopy(data, point * d, centroids, c * d, d);
        reseeded++;
      }
    }

    int[] sizes() {
      int[] sizes = new int[k];
      for (int i = 0; i < n; i++) {
        sizes[assignments[i]]++;
      }
      return sizes;
    }

    /**
     * Splits every cluster over the cap by k-means within it into {@code ceil(size / cap)} parts,
     * until none is over; parts that k-means cannot separate (duplicates) are cut in point order.
     * Returns the clusters split.
     */
    int capSizes() {
      int cap = options.maxClusterSize();
      int splits = 0;
      for (int c = 0; c < k; c++) {
        int[] members = membersOf(c);
        while (members.length > cap) {
          int parts = (members.length + cap - 1) / cap;
          float[][] points = new float[members.length][];
          for (int i = 0; i < members.length; i++) {
            points[i] = Arrays.copyOfRange(data, members[i] * d, (members[i] + 1) * d);
          }
          Options within =
              new Options(
                  parts,
                  Metric.L2, // already in cluster space
                  options.seed() + 31L * c + splits,
                  options.iterations(),
                  options.tolerance(),
                  0,
                  options.threads());
          Result result = train(points, within);
          int[] part = result.assignments();
          int[] partSizes = result.sizes();
          boolean separated = Arrays.stream(partSizes).allMatch(size -> size > 0);
          if (!separated) {
            for (int i = 0; i < members.length; i++) {
              part[i] = i * parts / members.length; // duplicates: cut in order
            }
          }
          // part 0 keeps index c, the others become new clusters at the end
          int[] index = new int[parts];
          index[0] = c;
          for (int p = 1; p < parts; p++) {
            index[p] = k + p - 1;
          }
          centroids = Arrays.copyOf(centroids, (k + parts - 1) * d);
          k += parts - 1;
          for (int i = 0; i < members.length; i++) {
            assignments[members[i]] = index[part[i]];
          }
          for (int p = 0; p < parts; p++) {
            meanOf(index[p]);
          }
          splits++;
          members = membersOf(c); // part 0 may still be over the cap; new parts come later
        }
      }
      for (int i = 0; i < n; i++) {
        distances[i] = KERNEL.squareDistance(data, i * d, centroids, assignments[i] * d, d);
      }
      double total = 0;
      for (float distance : distances) {
        total += distance;
      }
      objective = total;
      return splits;
    }

    private int[] membersOf(int cluster) {
      int count = 0;
      for (int i = 0; i < n; i++) {
        if (assignments[i] == cluster) {
          count++;
        }
      }
      int[] members = new int[count];
      for (int i = 0, m = 0; i < n; i++) {
        if (assignments[i] == cluster) {
          members[m++] = i;
        }
      }
      return members;
    }

    private void meanOf(int cluster) {
      double[] sum = new double[d];
      int count = 0;
      for (int i = 0; i < n; i++) {
        if (assignments[i] == cluster) {
          for (int j = 0; j < d; j++) {
            sum[j] += data[i * d + j];
          }
          count++;
        }
      }
      for (int j = 0; j < d; j++) {
        centroids[cluster * d + j] = (float) (sum[j] / Math.max(1, count));
      }
      if (spherical) {
        normalize(centroids, cluster * d, d);
      }
    }
  }

  private static void normalize(float[] values, int offset, int length) {
    double norm = 0;
    for (int j = 0; j < length; j++) {
      norm += (double) values[offset + j] * values[offset + j];
    }
    if (norm > 0) {
      float scale = (float) (1 / Math.sqrt(norm));
      for (int j = 0; j < length; j++) {
        values[offset + j] *= scale;
      }
    }
  }
}
