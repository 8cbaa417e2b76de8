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
