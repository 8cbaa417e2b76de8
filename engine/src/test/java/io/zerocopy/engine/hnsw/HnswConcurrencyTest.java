package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many threads see what one thread sees; a seeded one-thread build is reproducible. */
class HnswConcurrencyTest {

  @TempDir Path dir;

  @Test
  void concurrentSearchesEqualSequentialOnes() throws Exception {
    float[][][] data = HnswTestData.mixtureWithQueries(3_000, 400, 24, 16, 31);
    float[][] queries = data[1];
    Path file = dir.resolve("c.vec");
    VectorStore.create(file, data[0]);
    try (VectorStore store = VectorStore.open(file);
        HnswIndex index = new HnswIndex(store, 12, 100, Metric.L2)) {
      index.build(2);
      index.delete(3);
      List<List<Neighbor>> sequential = new ArrayList<>();
      for (float[] query : queries) {
        sequential.add(index.search(query, 10, 40));
      }
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<List<Neighbor>>> futures = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
          for (float[] query : queries) {
            futures.add(pool.submit(() -> index.search(query, 10, 40)));
          }
        }
        for (int i = 0; i < futures.size(); i++) {
          assertEquals(sequential.get(i % queries.length), futures.get(i).get(), "query " + i);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(sequential, index.searchBatch(queries, 10, 40));
    }
  }

  @Test
  void aFilterThatSearchesAndIndexesOfOtherShapesShareAThreadSafely() throws Exception {
    float[][][] data = HnswTestData.mixtureWithQueries(2_000, 30, 16, 8, 43);
    float[][] small = HnswTestData.gaussianMixture(500, 8, 4, 44);
    Path file = dir.resolve("n.vec");
    Path other = dir.resolve("o.vec");
    VectorStore.create(file, data[0]);
    VectorStore.create(other, small);
    try (VectorStore store = VectorStore.open(file);
        VectorStore otherStore = VectorStore.open(other);
        HnswIndex index = new HnswIndex(store, 12, 80, Metric.L2);
        HnswIndex otherIndex = new HnswIndex(otherStore, 6, 40, Metric.COSINE)) {
      index.build(2);
      otherIndex.build(2);
      for (float[] query : data[1]) {
        List<Neighbor> plain = index.search(query, 10, 40, id -> id % 2 == 0);
        List<Neighbor> otherPlain = otherIndex.search(small[0], 5, 20);
        // the filter runs inside the search and searches both indexes on the same thread
        List<Neighbor> nested =
            index.search(
                query,
                10,
                40,
                id -> {
                  assertEquals(otherPlain, otherIndex.search(small[0], 5, 20));
                  return index.search(query, 1, 10).size() == 1 && id % 2 == 0;
                });
        assertEquals(plain, nested);
      }
    }
  }

  @Test
  void seededSingleThreadBuildIsReproducible() throws Exception {
    float[][][] data = HnswTestData.mixtureWithQueries(2_000, 50, 16, 8, 41);
    Path file = dir.resolve("r.vec");
    VectorStore.create(file, data[0]);
    byte[][] saved = new byte[3][];
    long[] seeds = {123L, 123L, 124L};
    for (int run = 0; run < 3; run++) {
      try (VectorStore store = VectorStore.open(file);
          HnswIndex index = new HnswIndex(store, 8, 60, Metric.DOT)) {
        index.build(1, seeds[run]);
        Path out = dir.resolve("r" + run + ".hnsw");
        index.save(out);
        saved[run] = Files.readAllBytes(out);
      }
    }
    assertTrue(java.util.Arrays.equals(saved[0], saved[1]), "same seed, same graph");
    assertNotEquals(-1, java.util.Arrays.mismatch(saved[0], saved[2]), "another seed differs");
  }
}
