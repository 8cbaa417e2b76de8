package io.zerocopy.engine.exact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Exact search against the simplest reference: score everything, sort, take k. */
class BruteForceTest {

  @TempDir Path dir;

  /** A Gaussian mixture: the shape real embeddings have, unlike uniform noise. */
  static float[][] clustered(int count, int dimension, int clusters, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] centres = new float[clusters][dimension];
    for (float[] centre : centres) {
      for (int j = 0; j < dimension; j++) {
        centre[j] = (float) (random.nextDouble() * 10 - 5);
      }
    }
    float[][] vectors = new float[count][dimension];
    for (int i = 0; i < count; i++) {
      float[] centre = centres[random.nextInt(clusters)];
      for (int j = 0; j < dimension; j++) {
        vectors[i][j] = centre[j] + (float) gaussian(random);
      }
    }
    return vectors;
  }

  private static double gaussian(SplittableRandom random) {
    return Math.sqrt(-2 * Math.log(1 - random.nextDouble()))
        * Math.cos(2 * Math.PI * random.nextDouble());
  }

  static List<Neighbor> reference(float[][] data, float[] query, int k, Metric metric) {
    List<Neighbor> all = new ArrayList<>();
    for (int i = 0; i < data.length; i++) {
      all.add(new Neighbor(i, Distance.calculate(query, data[i], metric)));
    }
    all.sort(Comparator.naturalOrder());
    return all.subList(0, Math.min(k, all.size()));
  }

  private VectorStore store(float[][] data) throws IOException {
    Path file = dir.resolve("data-" + data.length + "-" + data[0].length + ".vec");
    VectorStore.create(file, data);
    return VectorStore.open(file);
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void matchesTheReferenceOnClusteredData(Metric metric) throws IOException {
    float[][] data = clustered(5000, 67, 20, 11);
    float[][] queries = clustered(40, 67, 20, 12);
    try (VectorStore store = store(data)) {
      for (int threads : new int[] {1, 2, 3}) {
        List<List<Neighbor>> batch = BruteForce.searchBatch(store, queries, 10, metric, threads);
        for (int q = 0; q < queries.length; q++) {
          List<Neighbor> expected = reference(data, queries[q], 10, metric);
          assertSameNeighbours(expected, batch.get(q), metric);
          // kernels add in one fixed order, so single and batch runs agree exactly
          assertEquals(batch.get(q), BruteForce.search(store, queries[q], 10, metric, threads));
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void batchesGiveExactlyTheSingleQueryResultsOnNearTies(Metric metric) throws IOException {
    // groups of five copies of a vector, each nudged by one ulp in a few components: their
    // distances to a query differ by about the rounding error, so k = 3 cuts a group where a
    // ranking by the approximate matrix product alone would keep other ids
    SplittableRandom random = new SplittableRandom(5);
    int dimension = 200;
    float[][] data = new float[3000][];
    for (int i = 0; i < data.length; i += 5) {
      float[] base = new float[dimension];
      for (int j = 0; j < dimension; j++) {
        base[j] = (float) (random.nextDouble() * 2 - 1);
      }
      for (int c = 0; c < 5; c++) {
        data[i + c] = base.clone();
        for (int nudge = 0; nudge < 3; nudge++) {
          int j = random.nextInt(dimension);
          data[i + c][j] = random.nextBoolean() ? Math.nextUp(base[j]) : Math.nextDown(base[j]);
        }
      }
    }
    data[100] = new float[dimension]; // a zero vector: cosine distance 1 from everything
    float[][] queries = new float[40][];
    for (int q = 0; q < queries.length; q++) {
      queries[q] = data[random.nextInt(data.length)].clone();
      for (int j = 0; j < dimension; j++) {
        queries[q][j] += (float) ((random.nextDouble() - 0.5) * 1e-3);
      }
    }
    queries[2] = new float[dimension];
    try (VectorStore store = store(data)) {
      for (int threads : new int[] {1, 2}) {
        List<List<Neighbor>> batch = BruteForce.searchBatch(store, queries, 3, metric, threads);
        for (int q = 0; q < queries.length; q++) {
          assertEquals(
              BruteForce.search(store, queries[q], 3, metric, threads),
              batch.get(q),
              metric + ", query " + q + ", " + threads + " threads");
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void batchesScoreVectorsAndQueriesWithOverflowingNormsExactly(Metric metric) throws IOException {
    // squared norms beyond Float.MAX_VALUE make the batch's thresholds infinite or NaN: such
    // pairs must be scored exactly, not screened out
    float[][] data = clustered(2000, 40, 6, 8);
    for (int i = 0; i < data.length; i += 97) {
      Arrays.fill(data[i], i % 2 == 0 ? 1e20f : -3e19f);
    }
    float[][] queries = clustered(24, 40, 6, 9);
    Arrays.fill(queries[3], 2e19f);
    queries[5] = new float[40];
    try (VectorStore store = store(data)) {
      List<List<Neighbor>> batch = BruteForce.searchBatch(store, queries, 7, metric, 2);
      for (int q = 0; q < queries.length; q++) {
        assertEquals(
            BruteForce.search(store, queries[q], 7, metric, 2),
            batch.get(q),
            metric + " query " + q);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void batchesOfSeveralQueryBlocksKeepTheirOrderAndExactScores(Metric metric) throws IOException {
    // 5,000 queries: more than one block of 4,096
    float[][] data = clustered(3000, 16, 8, 3);
    float[][] queries = clustered(5000, 16, 8, 4);
    try (VectorStore store = store(data)) {
      List<List<Neighbor>> batch = BruteForce.searchBatch(store, queries, 5, metric, 2);
      assertEquals(5000, batch.size());
      for (int q = 0; q < queries.length; q++) {
        assertEquals(
            BruteForce.search(store, queries[q], 5, metric, 1), batch.get(q), "query " + q);
      }
    }
  }

  @Test
  void tiesGoToTheSmallerId() throws IOException {
    float[][] data = new float[50][4];
    for (int i = 0; i < data.length; i++) {
      data[i] = new float[] {i % 5, 1, 2, 3}; // ten copies of five vectors
    }
    try (VectorStore store = store(data)) {
      for (int threads : new int[] {1, 2}) {
        List<Neighbor> result =
            BruteForce.search(store, new float[] {0, 1, 2, 3}, 12, Metric.L2, threads);
        List<Long> ids = result.stream().map(Neighbor::id).toList();
        assertEquals(List.of(0L, 5L, 10L, 15L, 20L, 25L, 30L, 35L, 40L, 45L, 1L, 6L), ids);
        assertEquals(0f, result.get(0).distance());
        assertEquals(1f, result.get(10).distance());
      }
    }
  }

  @Test
  void kLargerThanTheStoreReturnsEverythingSorted() throws IOException {
    float[][] data = clustered(7, 3, 2, 5);
    try (VectorStore store = store(data)) {
      List<Neighbor> result = BruteForce.search(store, data[3], 100, Metric.L2);
      assertEquals(7, result.size());
      assertEquals(3L, result.get(0).id());
      assertEquals(0f, result.get(0).distance());
      for (int i = 1; i < result.size(); i++) {
        assertTrue(result.get(i - 1).compareTo(result.get(i)) < 0);
      }
    }
  }

  @Test
  void badArgumentsAreNamed() throws IOException {
    try (VectorStore store = store(clustered(10, 3, 2, 5))) {
      IllegalArgumentException k =
          assertThrows(
              IllegalArgumentException.class,
              () -> BruteForce.search(store, new float[3], 0, Metric.L2));
      assertTrue(k.getMessage().contains("k must be > 0, got 0"));
      IllegalArgumentException dim =
          assertThrows(
              IllegalArgumentException.class,
              () -> BruteForce.search(store, new float[4], 1, Metric.L2));
      assertTrue(
          dim.getMessage().contains("dimension 4") && dim.getMessage().contains("dimension 3"));
      assertThrows(
          IllegalArgumentException.class,
          () -> BruteForce.search(store, new float[] {0, Float.NaN, 0}, 1, Metric.DOT));
      assertThrows(
          IllegalArgumentException.class,
          () -> BruteForce.search(store, new float[3], 1, Metric.L2, 0));
    }
  }

  private static void assertSameNeighbours(
      List<Neighbor> expected, List<Neighbor> actual, Metric metric) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      // distances may differ by float rounding between kernels; ids must match except where
      // two candidates are within that rounding of each other
      float tolerance = 1e-4f * Math.max(1f, Math.abs(expected.get(i).distance()));
      assertEquals(
          expected.get(i).distance(), actual.get(i).distance(), tolerance, metric + " rank " + i);
      if (i + 1 < expected.size()
          && Math.abs(expected.get(i + 1).distance() - expected.get(i).distance()) > tolerance
          && (i == 0
              || Math.abs(expected.get(i).distance() - expected.get(i - 1).distance())
                  > tolerance)) {
        assertEquals(expected.get(i).id(), actual.get(i).id(), metric + " rank " + i);
      }
    }
  }
}
