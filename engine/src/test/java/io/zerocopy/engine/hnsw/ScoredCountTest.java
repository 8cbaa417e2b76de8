package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HnswIndex#scoredOnThisThread}: the distance computations of this thread's searches. */
class ScoredCountTest {

  @TempDir Path dir;

  @Test
  void countsTheVectorsASearchScores() throws Exception {
    float[][] vectors = HnswTestData.gaussianMixture(2_000, 16, 8, 3);
    Path file = dir.resolve("v.vec");
    VectorStore.create(file, vectors);
    try (VectorStore store = VectorStore.open(file);
        HnswIndex index = new HnswIndex(store, 16, 100, Metric.L2)) {
      index.build(1);
      float[] query = vectors[17];
      long before = HnswIndex.scoredOnThisThread();
      index.search(query, 10, 64);
      long first = HnswIndex.scoredOnThisThread() - before;
      // a beam of 64 keeps 64 scored nodes, and a search never scores a node twice per layer
      assertTrue(first >= 64, "scored " + first);
      assertTrue(first <= vectors.length + 64L * 8, "scored " + first);
      index.search(query, 10, 64);
      long second = HnswIndex.scoredOnThisThread() - before - first;
      assertEquals(first, second, "the same search scores the same vectors");
      index.search(query, 10, 256);
      long wider = HnswIndex.scoredOnThisThread() - before - first - second;
      assertTrue(wider > first, "a wider beam scores more: " + wider + " vs " + first);
    }
  }
}
