package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Recall@10 against exact search at the default parameters (M 16, efConstruction 200, ef 50). */
class HnswRecallTest {

  private static final int K = 10;

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Metric.class)
  void clusteredDataAtDefaults(Metric metric) throws Exception {
    float[][][] data = HnswTestData.mixtureWithQueries(5_000, 200, 32, 24, 7);
    float[][] vectors = data[0];
    float[][] queries = data[1];
    double recall = recallAtDefaults(vectors, queries, metric, "clustered");
    assertTrue(recall >= 0.95, metric + ": recall@10 " + recall + " < 0.95");
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void fashionMnistSample(Metric metric) throws Exception {
    Path train = HnswTestData.FASHION_DIR.resolve("train-images-idx3-ubyte.gz");
    Path test = HnswTestData.FASHION_DIR.resolve("t10k-images-idx3-ubyte.gz");
    if (!Files.isReadable(train) || !Files.isReadable(test)) {
      if (System.getenv("CI") != null) {
        fail("CI must install the Debian package dataset-fashion-mnist: " + train + " is missing");
      }
      Assumptions.abort(train + " is missing (install dataset-fashion-mnist)");
    }
    float[][] vectors = HnswTestData.readIdxImages(train, 3_000);
    float[][] queries = HnswTestData.readIdxImages(test, 200);
    double recall = recallAtDefaults(vectors, queries, metric, "fashion-mnist");
    assertTrue(recall >= 0.95, metric + ": recall@10 " + recall + " < 0.95");
  }

  private double recallAtDefaults(float[][] vectors, float[][] queries, Metric metric, String name)
      throws Exception {
    Path file = dir.resolve(name + "-" + metric + ".vec");
    VectorStore.create(file, vectors);
    try (VectorStore store = VectorStore.open(file);
        HnswIndex index =
            new HnswIndex(
                store, HnswParameters.DEFAULT_M, HnswParameters.DEFAULT_EF_CONSTRUCTION, metric)) {
      long started = System.nanoTime();
      index.build();
      long buildMillis = (System.nanoTime() - started) / 1_000_000;
      List<List<Neighbor>> truth = BruteForce.searchBatch(store, queries, K, metric);
      double sum = 0;
      started = System.nanoTime();
      for (int q = 0; q < queries.length; q++) {
        List<Neighbor> found = index.search(queries[q], K);
        assertEquals(K, found.size());
        for (int i = 0; i < found.size(); i++) {
          Neighbor n = found.get(i);
          // the seed's distance values, exactly as Distance computes them
          assertEquals(
              Distance.calculate(queries[q], vectors[(int) n.id()], metric), n.distance(), 0f);
          if (i > 0) {
            assertTrue(Neighbor.ORDER.compare(found.get(i - 1), n) < 0, "ascending order");
          }
        }
        sum += HnswTestData.recall(found, HnswTestData.ids(truth.get(q)));
      }
      long searchMicros = (System.nanoTime() - started) / 1_000;
      double recall = sum / queries.length;
      Map<String, Object> stats = index.stats();
      assertEquals((long) vectors.length, stats.get("num_vectors"));
      assertEquals(vectors[0].length, stats.get("dimension"));
      assertTrue((int) stats.get("num_layers") >= 2);
      assertTrue((int) stats.get("max_connections") <= 2 * HnswParameters.DEFAULT_M);
      assertTrue((long) stats.get("total_connections") > 0);
      assertTrue((double) stats.get("avg_connections") > 1.0);
      System.out.printf(
          "[hnsw] %s %s n=%d: recall@10=%.4f build=%d ms, %d queries in %d us%n",
          name, metric, vectors.length, recall, buildMillis, queries.length, searchMicros);
      return recall;
    }
  }
}
