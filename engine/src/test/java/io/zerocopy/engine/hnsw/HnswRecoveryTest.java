package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .vec/.hnsw pair a crash between add and save leaves: usable, then completed by add. */
class HnswRecoveryTest {

  @TempDir Path dir;

  private final float[][] pool = HnswTestData.gaussianMixture(700, 16, 8, 17);

  @Test
  void storeAheadOfGraphOpensWithTheTailUnindexedAndAddLinksIt() throws Exception {
    Path file = dir.resolve("p.vec");
    Path graphFile = dir.resolve("p.hnsw");
    VectorStore.create(file, Arrays.copyOfRange(pool, 0, 500));
    try (VectorStore store = VectorStore.open(file);
        HnswIndex index = new HnswIndex(store, 8, 60, Metric.L2)) {
      index.build(1);
      index.delete(7);
      index.save(graphFile);
    }
    // what HnswIndex.add committed before the process died, without its save
    VectorStore.append(file, Arrays.copyOfRange(pool, 500, 550));

    try (HnswIndex index = HnswIndex.open(file, graphFile)) {
      assertEquals(500, index.size());
      assertEquals(550, index.store().size());
      assertEquals(50L, index.stats().get("num_unindexed"));
      assertEquals(500L, index.stats().get("num_vectors"));
      for (int id : new int[] {3, 499, 520}) {
        for (Neighbor n : index.search(pool[id], 10)) {
          assertTrue(n.id() < 500 && n.id() != 7, "unindexed or deleted id " + n.id());
        }
      }
      assertEquals(3, index.search(pool[3], 1).get(0).id());

      assertEquals(550, index.add(Arrays.copyOfRange(pool, 550, 560)));
      assertEquals(560, index.size());
      assertEquals(0L, index.stats().get("num_unindexed"));
      for (int id : new int[] {3, 520, 549, 555}) {
        List<Neighbor> found = index.search(pool[id], 1);
        assertEquals(id, found.get(0).id(), "vector " + id + " finds itself");
        assertEquals(0f, found.get(0).distance());
      }
      assertTrue(index.isDeleted(7));
      index.save(graphFile);
    }
    try (HnswIndex index = HnswIndex.open(file, graphFile)) {
      assertEquals(560, index.size());
      assertEquals(0L, index.stats().get("num_unindexed"));
      assertEquals(545, index.search(pool[545], 1).get(0).id());
    }
  }

  @Test
  void addOfNothingStillLinksTheUnindexedTail() throws Exception {
    Path file = dir.resolve("n.vec");
    Path graphFile = dir.resolve("n.hnsw");
    VectorStore.create(file, Arrays.copyOfRange(pool, 0, 300));
    try (VectorStore store = VectorStore.open(file);
        HnswIndex index = new HnswIndex(store, 8, 60, Metric.COSINE)) {
      index.build(1);
      index.save(graphFile);
    }
    VectorStore.append(file, Arrays.copyOfRange(pool, 300, 320));
    try (HnswIndex index = HnswIndex.open(file, graphFile)) {
      assertEquals(320, index.add(new float[0][]));
      assertEquals(320, index.size());
      assertEquals(310, index.search(pool[310], 1).get(0).id());
    }
  }

  @Test
  void graphLargerThanItsStoreIsRejected() throws Exception {
    Path file = dir.resolve("g.vec");
    Path small = dir.resolve("small.vec");
    Path graphFile = dir.resolve("g.hnsw");
    VectorStore.create(file, Arrays.copyOfRange(pool, 0, 200));
    VectorStore.create(small, Arrays.copyOfRange(pool, 0, 150));
    try (VectorStore store = VectorStore.open(file);
        HnswIndex index = new HnswIndex(store, 8, 60, Metric.L2)) {
      index.build(1);
      index.save(graphFile);
    }
    HnswFormatException e =
        assertThrows(HnswFormatException.class, () -> HnswIndex.open(small, graphFile));
    assertTrue(e.getMessage().contains(graphFile.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("at most 150 nodes"), e.getMessage());
    assertTrue(e.getMessage().contains("200 nodes"), e.getMessage());
  }
}
