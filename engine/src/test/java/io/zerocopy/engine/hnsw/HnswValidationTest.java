package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Bad arguments fail early with a message naming the value; misuse fails as a state error. */
class HnswValidationTest {

  @TempDir Path dir;

  @Test
  void invalidArgumentsNameTheValue() throws Exception {
    Path file = dir.resolve("x.vec");
    VectorStore.create(file, HnswTestData.gaussianMixture(300, 8, 3, 1));
    try (VectorStore store = VectorStore.open(file)) {
      expect(() -> new HnswIndex(store, 1, 100, Metric.L2), "m must be in [2, 512], got 1");
      expect(() -> new HnswIndex(store, 16, 0, Metric.L2), "got 0");
      expect(() -> new HnswIndex(store, 16, 100, null), "metric");
      HnswIndex index = new HnswIndex(store);
      IllegalStateException notBuilt =
          assertThrows(IllegalStateException.class, () -> index.search(new float[8], 1));
      assertTrue(notBuilt.getMessage().contains("build()"), notBuilt.getMessage());
      index.build(1);
      assertThrows(IllegalStateException.class, () -> index.build(1));
      expect(() -> index.build(0), "got 0");
      float[] query = new float[8];
      expect(() -> index.search(query, 0), "k must be > 0, got 0");
      expect(() -> index.search(query, -3, 10), "got -3");
      expect(() -> index.search(query, 10, 9), "ef must be >= k (10), got 9");
      expect(() -> index.search(new float[7], 10), "dimension 7");
      expect(() -> index.search(null, 10), "query is null");
      expect(() -> index.search(new float[] {0, 0, 0, Float.NaN, 0, 0, 0, 0}, 1), "NaN");
      expect(() -> index.searchBatch(new float[][] {query, new float[9]}, 1, 1), "query 1");
      expect(() -> index.delete(300), "unknown id 300");
      expect(() -> index.delete(-1), "unknown id -1");
      expect(() -> index.isDeleted(1_000), "unknown id 1000");
      expect(() -> index.add(new float[][] {new float[3]}), "dimension 3");
      expect(() -> index.search(query, 1, 1, (java.util.BitSet) null), "allowed");
      assertEquals(1, index.search(query, 1, 1).size());
      // fewer live nodes than k: all of them
      assertEquals(300, index.search(query, 400, 400).size());
    }
  }

  private static void expect(Executable call, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' lacks " + fragment);
  }
}
