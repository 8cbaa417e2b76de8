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
