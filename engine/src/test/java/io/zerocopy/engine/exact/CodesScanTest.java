package io.zerocopy.engine.exact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.codes.Int8Codes;
import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CodesScanTest {

  @TempDir Path dir;

  private static float[][] clustered(int n, int d, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] centres = new float[12][d];
    for (float[] c : centres) {
      for (int i = 0; i < d; i++) {
        c[i] = (float) (random.nextGaussian() * 3);
      }
    }
    float[][] data = new float[n][d];
    for (float[] v : data) {
      float[] c = centres[random.nextInt(centres.length)];
      for (int i = 0; i < d; i++) {
        v[i] = c[i] + (float) random.nextGaussian();
      }
    }
    return data;
  }

  /**
   * The exact search on codes against a full sort of every vector's exact distance: the same ids
   * and distances, with duplicate vectors (ties), k from 1 to more than the vectors, 1 and 3
   * threads.
   */
  @ParameterizedTest
  @EnumSource(
      value = Metric.class,
      names = {"L2", "COSINE"})
  void exactSearchEqualsAFullSortOfTheExactDistances(Metric metric) throws Exception {
    SplittableRandom random = new SplittableRandom(5);
    float[][] data = clustered(3000, 24, 3);
    for (int v = 0; v < 200; v++) {
      data[random.nextInt(3000)] = data[random.nextInt(3000)].clone(); // ties
    }
    float[][] queries = clustered(40, 24, 4);
    queries[0] = data[17].clone(); // a query on a stored vector: distance 0
    Path file = dir.resolve("exact.vec");
    VectorStore.create(file, data);
    try (VectorStore store = VectorStore.open(file)) {
      Int8Codes.write(dir.resolve("exact.i8"), store, metric);
      try (Int8Codes codes = Int8Codes.open(dir.resolve("exact.i8"), store)) {
        for (int k : new int[] {1, 10, 50, 3001}) {
          for (int threads : new int[] {1, 3}) {
            List<List<Neighbor>> found =
                CodesScan.search(store, codes, queries, k, metric, threads);
            for (int q = 0; q < queries.length; q++) {
              Neighbor[] all = new Neighbor[data.length];
              for (int v = 0; v < data.length; v++) {
                all[v] = new Neighbor(v, Distance.calculate(queries[q], data[v], metric));
              }
              java.util.Arrays.sort(all, Neighbor.ORDER);
              assertEquals(
                  List.of(java.util.Arrays.copyOf(all, Math.min(k, all.length))),
                  found.get(q),
                  metric + " k " + k + " threads " + threads + " query " + q);
            }
          }
        }
      }
    }
  }

  @org.junit.jupiter.api.Test
  void exactSearchRefusesCodesWithoutBoundsNamingTheFile() throws Exception {
    Path file = dir.resolve("refused.vec");
    VectorStore.create(file, clustered(600, 8, 6));
    float[][] queries = clustered(2, 8, 7);
    try (VectorStore store = VectorStore.open(file)) {
      Path pq = dir.resolve("refused.pq");
      io.zerocopy.engine.codes.PqCodes.write(pq, store, Metric.L2);
      Path i8 = dir.resolve("refused.i8");
      Int8Codes.write(i8, store, Metric.DOT);
      try (var pqCodes = io.zerocopy.engine.codes.PqCodes.open(pq, store);
          Int8Codes i8Codes = Int8Codes.open(i8, store)) {
        IllegalArgumentException e =
            assertThrows(
                IllegalArgumentException.class,
                () -> CodesScan.search(store, pqCodes, queries, 5, Metric.L2, 1));
        assertTrue(e.getMessage().startsWith(pq.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("pq codes"), e.getMessage());
        e =
            assertThrows(
                IllegalArgumentException.class,
                () -> CodesScan.search(store, i8Codes, queries, 5, Metric.DOT, 1));
        assertTrue(e.getMessage().contains("dot metric"), e.getMessage());
        e =
            assertThrows(
                IllegalArgumentException.class,
                () -> CodesScan.search(store, i8Codes, queries, 0, Metric.L2, 1));
        assertEquals("k and threads must be >= 1, got 0, 1", e.getMessage());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void keepsRecallAndReportsExactDistances(Metric metric) throws Exception {
    float[][] data = clustered(4000, 48, 1);
    float[][] queries = clustered(60, 48, 2);
    Path file = dir.resolve("data.vec");
    VectorStore.create(file, data);
    try (VectorStore store = VectorStore.open(file)) {
      Int8Codes.write(dir.resolve("data.i8"), store, metric);
      try (Int8Codes codes = Int8Codes.open(dir.resolve("data.i8"), store)) {
        List<List<Neighbor>> exact = BruteForce.searchBatch(store, queries, 10, metric, 2);
        List<List<Neighbor>> found =
            CodesScan.searchApproximately(store, codes, queries, 10, metric, 3, 2);
        double hits = 0;
        for (int q = 0; q < queries.length; q++) {
          Set<Long> want = new HashSet<>();
          exact.get(q).forEach(n -> want.add(n.id()));
          for (Neighbor n : found.get(q)) {
            hits += want.contains(n.id()) ? 1 : 0;
            assertEquals(
                Distance.calculate(queries[q], data[(int) n.id()], metric), n.distance(), 0f);
          }
        }
        double recall = hits / (10.0 * queries.length);
        assertTrue(recall >= 0.95, metric + " recall@10 " + recall);
        // re-ranking every vector is exact search (the same ids; distances as Distance gives them)
        List<List<Neighbor>> all =
            CodesScan.searchApproximately(store, codes, queries, 10, metric, 400, 3);
        for (int q = 0; q < queries.length; q++) {
          assertEquals(
              exact.get(q).stream().map(Neighbor::id).toList(),
              all.get(q).stream().map(Neighbor::id).toList(),
              metric + " query " + q);
        }
        assertThrows(
            IllegalArgumentException.class,
            () -> CodesScan.searchApproximately(store, codes, queries, 10, metric, 0, 1));
      }
    }
  }
}
