package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Filters during traversal, tombstones, appends, and that all of them survive save and open. */
class HnswMutationTest {

  private static final int K = 10;

  @TempDir Path dir;

  /** One mixture: 5,000 vectors, 1,000 to add, 200 to add after reopening, 100 queries. */
  private final float[][] pool = HnswTestData.gaussianMixture(6_300, 32, 24, 11);

  private final float[][] vectors = Arrays.copyOfRange(pool, 0, 5_000);
  private final float[][] extra = Arrays.copyOfRange(pool, 5_000, 6_000);
  private final float[][] more = Arrays.copyOfRange(pool, 6_000, 6_200);
  private final float[][] queries = Arrays.copyOfRange(pool, 6_200, 6_300);

  @Test
  void filterKeepingTenPercentHoldsRecall() throws Exception {
    Path file = dir.resolve("f.vec");
    VectorStore.create(file, vectors);
    BitSet allowed = new BitSet();
    Random random = new Random(3);
    for (int i = 0; i < vectors.length; i++) {
      if (random.nextInt(10) == 0) {
        allowed.set(i);
      }
    }
    try (VectorStore store = VectorStore.open(file);
        HnswIndex index = new HnswIndex(store)) {
      index.build();
      double bitsetRecall = 0;
      double predicateRecall = 0;
      for (float[] query : queries) {
        long[] truth =
            HnswTestData.exact(vectors, query, K, Metric.L2, id -> allowed.get((int) id));
        List<Neighbor> viaBits = index.search(query, K, 50, allowed);
        List<Neighbor> viaPredicate = index.search(query, K, 50, id -> allowed.get((int) id));
        assertEquals(viaBits, viaPredicate);
        assertEquals(K, viaBits.size());
        for (Neighbor n : viaBits) {
          assertTrue(allowed.get((int) n.id()), "filtered-out id " + n.id() + " returned");
        }
        bitsetRecall += HnswTestData.recall(viaBits, truth);
        predicateRecall += HnswTestData.recall(viaPredicate, truth);
      }
      double recall = bitsetRecall / queries.length;
      System.out.printf("[hnsw] filter 10%%: recall@10=%.4f%n", recall);
      assertTrue(recall >= 0.90, "filtered recall " + recall + " < 0.90");
      assertEquals(recall, predicateRecall / queries.length, 1e-12);
    }
  }

  @Test
  void verySelectiveFiltersAreAnsweredExactly() throws Exception {
    Path file = dir.resolve("s.vec");
    VectorStore.create(file, vectors);
    for (Metric metric : Metric.values()) {
      try (VectorStore store = VectorStore.open(file);
          HnswIndex index = new HnswIndex(store, 16, 100, metric)) {
        index.build(2);
        Random random = new Random(17);
        BitSet allowed = new BitSet();
        while (allowed.cardinality() < 30) { // 0.6% of the ids, spread over all clusters
          allowed.set(random.nextInt(vectors.length));
        }
        int deleted = allowed.nextSetBit(0);
        index.delete(deleted);
        LongPredicate live = id -> allowed.get((int) id) && id != deleted;
        for (float[] query : Arrays.copyOf(queries, 20)) {
          List<Neighbor> found = index.search(query, K, 50, allowed);
          long[] truth = HnswTestData.exact(vectors, query, K, metric, live);
          assertEquals(K, found.size());
          for (int i = 0; i < K; i++) {
            assertEquals(truth[i], found.get(i).id(), metric + " rank " + i);
            assertEquals(
                io.zerocopy.engine.distance.Distance.calculate(
                    query, vectors[(int) truth[i]], metric),
                found.get(i).distance(),
                1e-3f * Math.max(1f, Math.abs(found.get(i).distance())),
                metric + " distance at rank " + i);
          }
        }
        // fewer allowed ids than k: all of them, best first
        BitSet three = new BitSet();
        three.set(5);
        three.set(77);
        three.set(4_999);
        assertEquals(3, index.search(queries[0], K, 50, three).size());
      }
    }
  }

  @Test
  void searchesStayCompleteAfterDeletingMostNodes() throws Exception {
    Path file = dir.resolve("m.vec");
    VectorStore.create(file, vectors);
    try (VectorStore store = VectorStore.open(file);
        HnswIndex index = new HnswIndex(store)) {
      index.build(2);
      BitSet deleted = new BitSet();
      Random random = new Random(23);
      while (deleted.cardinality() < 4_900) { // 98% of the nodes
        int id = random.nextInt(vectors.length);
        if (!deleted.get(id)) {
          deleted.set(id);
          index.delete(id);
        }
      }
      LongPredicate live = id -> !deleted.get((int) id);
      double recall = 0;
      for (float[] query : Arrays.copyOf(queries, 20)) {
        List<Neighbor> found = index.search(query, K);
        assertEquals(K, found.size(), "100 live nodes: every search finds k");
        found.forEach(n -> assertFalse(deleted.get((int) n.id()), "deleted id " + n.id()));
        recall +=
            HnswTestData.recall(found, HnswTestData.exact(vectors, query, K, Metric.L2, live));
      }
      assertTrue(recall / 20 >= 0.9, "recall over the live nodes " + recall / 20);
      // fewer live nodes than k: all of them
      for (int id = deleted.nextClearBit(0); id < vectors.length; id = deleted.nextClearBit(id)) {
        if (deleted.cardinality() >= vectors.length - 3) {
          break;
        }
        deleted.set(id);
        index.delete(id);
      }
      assertEquals(3, index.search(queries[0], K).size());
    }
  }

  @Test
  void deleteAddSaveAndReopen() throws Exception {
    Path file = dir.resolve("d.vec");
    Path graphFile = dir.resolve("d.hnsw");
    VectorStore.create(file, vectors);
    Random random = new Random(5);
    BitSet deleted = new BitSet();
    float[][] all = HnswTestData.concat(vectors, extra);
    try (VectorStore store = VectorStore.open(file);
        HnswIndex index = new HnswIndex(store)) {
      index.build();
      while (deleted.cardinality() < vectors.length / 10) {
        int id = random.nextInt(vectors.length);
        assertEquals(!deleted.get(id), index.delete(id));
        deleted.set(id);
      }
      assertTrue(index.isDeleted(deleted.nextSetBit(0)));
      LongPredicate live = id -> !deleted.get((int) id);
      double afterDelete = liveRecall(index, vectors, live, deleted);
      System.out.printf("[hnsw] delete 10%%: live recall@10=%.4f%n", afterDelete);
      assertTrue(afterDelete >= 0.95, "recall after delete " + afterDelete);

      long first = index.add(extra);
      assertEquals(vectors.length, first);
      assertEquals(all.length, index.size());
      assertEquals(all.length, VectorStore.open(file).size());
      double afterAdd = liveRecall(index, all, live, deleted);
      System.out.printf("[hnsw] add 20%%: live recall@10=%.4f%n", afterAdd);
      assertTrue(afterAdd >= 0.95, "recall after add " + afterAdd);
      assertEquals((long) all.length, index.stats().get("num_vectors"));
      assertEquals((long) deleted.cardinality(), index.stats().get("num_deleted"));

      index.save(graphFile);
      try (HnswIndex reopened = HnswIndex.open(file, graphFile)) {
        assertTrue(reopened.isMapped());
        assertEquals(all.length, reopened.size());
        assertTrue(reopened.isDeleted(deleted.nextSetBit(0)));
        assertFalse(reopened.isDeleted(all.length - 1));
        for (float[] query : queries) {
          assertEquals(index.search(query, K), reopened.search(query, K));
        }
        assertEquals(index.stats(), reopened.stats());
        // mutations after open: a tombstone, then an add (copies the mapped graph into the heap)
        int victim = deleted.nextClearBit(0);
        assertTrue(reopened.delete(victim));
        deleted.set(victim);
        assertEquals(all.length, reopened.add(more));
        assertFalse(reopened.isMapped());
        float[][] grown = HnswTestData.concat(all, more);
        double afterReopenAdd = liveRecall(reopened, grown, live, deleted);
        assertTrue(afterReopenAdd >= 0.95, "recall after reopen + add " + afterReopenAdd);
        reopened.save(graphFile);
      }
      try (HnswIndex again = HnswIndex.open(file, graphFile)) {
        assertEquals(all.length + 200, again.size());
        assertTrue(again.isDeleted(deleted.nextSetBit(0)));
      }
    }
  }

  private double liveRecall(HnswIndex index, float[][] all, LongPredicate live, BitSet deleted) {
    double sum = 0;
    for (float[] query : queries) {
      List<Neighbor> found = index.search(query, K);
      for (Neighbor n : found) {
        assertFalse(deleted.get((int) n.id()), "deleted id " + n.id() + " returned");
      }
      sum += HnswTestData.recall(found, HnswTestData.exact(all, query, K, Metric.L2, live));
    }
    return sum / queries.length;
  }
}
