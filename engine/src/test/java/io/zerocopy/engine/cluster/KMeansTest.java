package io.zerocopy.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** k-means against a plain reference Lloyd on Gaussian mixtures, for every metric. */
class KMeansTest {

  /** {@code n} points around {@code components} centres of spread 6 with unit noise. */
  static float[][] mixture(int n, int dimension, int components, long seed, float[][] centres) {
    Random random = new Random(seed);
    for (int c = 0; c < components; c++) {
      for (int j = 0; j < dimension; j++) {
        centres[c][j] = (float) (random.nextGaussian() * 6);
      }
    }
    float[][] points = new float[n][dimension];
    for (int i = 0; i < n; i++) {
      float[] centre = centres[random.nextInt(components)];
      for (int j = 0; j < dimension; j++) {
        points[i][j] = centre[j] + (float) random.nextGaussian();
      }
    }
    return points;
  }

  /** The points as k-means sees them: normalised for cosine. */
  static double[][] space(float[][] points, Metric metric) {
    double[][] result = new double[points.length][];
    for (int i = 0; i < points.length; i++) {
      float[] p = metric == Metric.COSINE ? Centroids.normalized(points[i]) : points[i];
      result[i] = IntStream.range(0, p.length).mapToDouble(j -> p[j]).toArray();
    }
    return result;
  }

  static double squared(double[] a, double[] b) {
    double sum = 0;
    for (int j = 0; j < a.length; j++) {
      sum += (a[j] - b[j]) * (a[j] - b[j]);
    }
    return sum;
  }

  /** The objective of the given centres: each point to its nearest, squared L2. */
  static double objective(double[][] points, double[][] centres) {
    double total = 0;
    for (double[] point : points) {
      double best = Double.POSITIVE_INFINITY;
      for (double[] centre : centres) {
        best = Math.min(best, squared(point, centre));
      }
      total += best;
    }
    return total;
  }

  /** Textbook Lloyd in doubles: k-means++ seeding, 50 iterations, best of {@code restarts}. */
  static double reference(double[][] points, int k, boolean spherical, int restarts) {
    double best = Double.POSITIVE_INFINITY;
    for (int restart = 0; restart < restarts; restart++) {
      Random random = new Random(1000 + restart);
      double[][] centres = new double[k][];
      centres[0] = points[random.nextInt(points.length)].clone();
      for (int c = 1; c < k; c++) {
        double[] weights = new double[points.length];
        double total = 0;
        for (int i = 0; i < points.length; i++) {
          double nearest = Double.POSITIVE_INFINITY;
          for (int j = 0; j < c; j++) {
            nearest = Math.min(nearest, squared(points[i], centres[j]));
          }
          weights[i] = nearest;
          total += nearest;
        }
        double target = random.nextDouble() * total;
        int chosen = points.length - 1;
        for (int i = 0; i < points.length; i++) {
          target -= weights[i];
          if (target < 0) {
            chosen = i;
            break;
          }
        }
        centres[c] = points[chosen].clone();
      }
      for (int iteration = 0; iteration < 50; iteration++) {
        double[][] sums = new double[k][points[0].length];
        int[] counts = new int[k];
        for (double[] point : points) {
          int nearest = 0;
          for (int c = 1; c < k; c++) {
            if (squared(point, centres[c]) < squared(point, centres[nearest])) {
              nearest = c;
            }
          }
          counts[nearest]++;
          for (int j = 0; j < point.length; j++) {
            sums[nearest][j] += point[j];
          }
        }
        for (int c = 0; c < k; c++) {
          if (counts[c] > 0) {
            for (int j = 0; j < sums[c].length; j++) {
              centres[c][j] = sums[c][j] / counts[c];
            }
            if (spherical) {
              double norm = Math.sqrt(squared(centres[c], new double[sums[c].length]));
              for (int j = 0; j < sums[c].length; j++) {
                centres[c][j] /= norm;
              }
            }
          }
        }
      }
      best = Math.min(best, objective(points, centres));
    }
    return best;
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void objectiveWithinAFewPercentOfTheReferenceAndOfTheTrueCentres(Metric metric) {
    int k = 20;
    float[][] centres = new float[k][24];
    float[][] points = mixture(4_000, 24, k, 7, centres);
    KMeans.Result result = KMeans.train(points, KMeans.Options.of(k, metric));
    double[][] space = space(points, metric);
    double reference = reference(space, k, metric == Metric.COSINE, 3);
    double ours = result.objective();
    assertTrue(ours <= 1.03 * reference, metric + ": " + ours + " vs reference " + reference);
    // the objective reported is the objective of the centres returned
    double[][] returned = new double[k][];
    for (int c = 0; c < k; c++) {
      returned[c] = space(new float[][] {result.centroids().centroid(c)}, Metric.L2)[0];
    }
    assertEquals(objective(space, returned), ours, 1e-3 * ours);
    if (metric != Metric.COSINE) { // generating means are centres in Euclidean space only
      double truth = objective(space, space(centres, Metric.L2));
      assertTrue(ours <= 1.05 * truth, metric + ": " + ours + " vs true centres " + truth);
    }
    assertEquals(k, result.sizes().length);
    assertEquals(points.length, Arrays.stream(result.sizes()).sum());
    // components of equal weight: so are the clusters, within sampling noise
    int largest = Arrays.stream(result.sizes()).max().getAsInt();
    assertTrue(largest <= 1.5 * points.length / k, Arrays.toString(result.sizes()));
    assertTrue(result.iterations() >= 2 && result.iterations() <= KMeans.DEFAULT_ITERATIONS);
  }

  @Test
  void moreClustersThanComponentsLeavesNoClusterEmpty() {
    float[][] points = mixture(3_000, 8, 6, 3, new float[6][8]);
    KMeans.Result result = KMeans.train(points, KMeans.Options.of(64, Metric.L2));
    assertTrue(
        Arrays.stream(result.sizes()).allMatch(size -> size > 0), Arrays.toString(result.sizes()));
    for (int i = 0; i < points.length; i += 97) { // assignments are nearest centres
      assertEquals(result.centroids().assign(points[i]), result.assignments()[i]);
    }
  }

  @Test
  void aSizeCapSplitsOversizedClusters() {
    // three components of very different weight: 70%, 20%, 10% of the points
    Random random = new Random(11);
    float[][] points = new float[5_000][16];
    for (int i = 0; i < points.length; i++) {
      int component = i % 10 < 7 ? 0 : i % 10 < 9 ? 1 : 2;
      for (int j = 0; j < 16; j++) {
        points[i][j] = component * 10 + (float) random.nextGaussian();
      }
    }
    int cap = 1_000;
    KMeans.Result result =
        KMeans.train(points, KMeans.Options.of(4, Metric.L2).withMaxClusterSize(cap));
    int[] sizes = result.sizes();
    assertTrue(
        Arrays.stream(sizes).allMatch(size -> size > 0 && size <= cap), Arrays.toString(sizes));
    assertTrue(sizes.length >= 5 && result.splits() > 0, Arrays.toString(sizes));
    assertEquals(result.centroids().count(), sizes.length);
    assertEquals(points.length, Arrays.stream(sizes).sum());
    // duplicates cannot be separated by k-means: they are cut in order
    float[][] same = new float[300][4];
    KMeans.Result cut = KMeans.train(same, KMeans.Options.of(1, Metric.L2).withMaxClusterSize(100));
    assertArrayEquals(new int[] {100, 100, 100}, cut.sizes());
  }

  @Test
  void theSameSeedGivesTheSameCentresOnAnyThreadCount() {
    float[][] points = mixture(5_000, 32, 12, 5, new float[12][32]);
    KMeans.Options options = KMeans.Options.of(16, Metric.COSINE).withSeed(9);
    KMeans.Result one = KMeans.train(points, options.withThreads(1));
    KMeans.Result four = KMeans.train(points, options.withThreads(4));
    assertArrayEquals(one.centroids().toArray(), four.centroids().toArray());
    assertArrayEquals(one.assignments(), four.assignments());
    KMeans.Result other = KMeans.train(points, options.withSeed(10));
    assertTrue(!Arrays.equals(one.centroids().toArray(), other.centroids().toArray()));
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void routingOrdersCentresByTheMetric(Metric metric) {
    Random random = new Random(metric.ordinal());
    float[] flat = new float[50 * 12];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = (float) random.nextGaussian();
    }
    Centroids centroids = new Centroids(flat, 50, 12, metric);
    for (int q = 0; q < 20; q++) {
      float[] query = new float[12];
      for (int j = 0; j < 12; j++) {
        query[j] = (float) random.nextGaussian() * 3;
      }
      Integer[] expected = IntStream.range(0, 50).boxed().toArray(Integer[]::new);
      Arrays.sort(
          expected,
          Comparator.comparingDouble(
              c -> (double) Distance.calculate(query, centroids.centroid(c), metric)));
      int[] routed = centroids.route(query, 7);
      assertEquals(7, routed.length);
      for (int i = 0; i < 7; i++) {
        assertEquals(expected[i], routed[i], metric + " query " + q + " position " + i);
      }
      assertEquals(50, centroids.route(query, 500).length, "at most every centre");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Metric.class,
      names = {"L2", "COSINE"})
  void boundaryReplicasAreTheCentresWithinTheFactor(Metric metric) {
    Random random = new Random(7 + metric.ordinal());
    float[] flat = new float[40 * 8];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = (float) random.nextGaussian();
    }
    Centroids centroids = new Centroids(flat, 40, 8, metric);
    int replicated = 0;
    for (int q = 0; q < 200; q++) {
      float[] vector = new float[8];
      for (int j = 0; j < 8; j++) {
        vector[j] = (float) random.nextGaussian();
      }
      double epsilon = 0.05 * (q % 5);
      int[] clusters = centroids.assignWithReplicas(vector, epsilon, 3);
      assertEquals(centroids.assign(vector), clusters[0]);
      double own = Distance.calculate(vector, centroids.centroid(clusters[0]), metric);
      // the reference: every other centre within the factor, nearest first, at most 3
      int[] expected =
          IntStream.range(0, 40)
              .filter(c -> c != clusters[0])
              .filter(
                  c ->
                      Distance.calculate(vector, centroids.centroid(c), metric)
                          <= (1 + epsilon) * own * (1 + 1e-5))
              .boxed()
              .sorted(
                  Comparator.comparingDouble(
                      c -> (double) Distance.calculate(vector, centroids.centroid(c), metric)))
              .limit(3)
              .mapToInt(Integer::intValue)
              .toArray();
      assertArrayEquals(expected, Arrays.copyOfRange(clusters, 1, clusters.length), "vector " + q);
      replicated += clusters.length - 1;
      assertArrayEquals(
          new int[] {clusters[0]}, centroids.assignWithReplicas(vector, epsilon, 0), "no replicas");
    }
    assertTrue(replicated > 20, "some vectors are near a boundary: " + replicated);
  }

  @Test
  void badInputIsNamed() {
    float[][] two = {{1, 2}, {3, 4}};
    assertEquals(
        "cannot make 3 clusters of 2 vectors",
        assertThrows(
                IllegalArgumentException.class,
                () -> KMeans.train(two, KMeans.Options.of(3, Metric.L2)))
            .getMessage());
    assertEquals(
        "vector 1 has dimension 1, vector 0 has 2",
        assertThrows(
                IllegalArgumentException.class,
                () -> KMeans.train(new float[][] {{1, 2}, {3}}, KMeans.Options.of(1, Metric.L2)))
            .getMessage());
    assertEquals(
        "vector 0 has a non-finite value at position 1",
        assertThrows(
                IllegalArgumentException.class,
                () -> KMeans.train(new float[][] {{1, Float.NaN}}, KMeans.Options.of(1, Metric.L2)))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> KMeans.Options.of(0, Metric.L2));
    assertThrows(
        IllegalArgumentException.class,
        () -> KMeans.Options.of(2, Metric.L2).withMaxClusterSize(-1));
    Centroids centroids = new Centroids(new float[] {0, 0, 1, 1}, 2, 2, Metric.L2);
    assertEquals(
        "vector has dimension 3, the centroids 2",
        assertThrows(IllegalArgumentException.class, () -> centroids.route(new float[3], 1))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> centroids.route(new float[2], 0));
  }
}
