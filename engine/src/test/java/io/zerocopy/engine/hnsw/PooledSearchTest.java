package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Random;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A beam of ef with a pool of more results (the walk on codes) against the plain beam of ef and a
 * reference that records every score: the same nodes scored, the beam's results first, and the pool
 * the best {@code pool} accepted nodes of all that were scored.
 */
class PooledSearchTest {

  @TempDir Path dir;

  @Test
  void thePoolKeepsTheBestScoredNodesOfTheSameWalk() throws Exception {
    float[][] vectors = HnswTestData.gaussianMixture(3_000, 12, 10, 5);
    Path file = dir.resolve("v.vec");
    VectorStore.create(file, vectors);
    Random random = new Random(9);
    try (VectorStore store = VectorStore.open(file);
        HnswIndex index = new HnswIndex(store, 8, 60, Metric.L2)) {
      index.build(1);
      GraphView graph = index.graphView();
      for (int trial = 0; trial < 60; trial++) {
        float[] query = vectors[random.nextInt(vectors.length)].clone();
        query[random.nextInt(query.length)] += (float) random.nextGaussian();
        int ef = 1 + random.nextInt(40);
        int pool = ef + 1 + random.nextInt(120);
        int entry = random.nextInt(vectors.length);
        LongPredicate filter = trial % 3 == 0 ? node -> node % 4 != 0 : null;

        Recording plain = new Recording(vectors);
        long[] beam = search(graph, plain, query, entry, ef, ef, filter);
        Recording pooled = new Recording(vectors);
        long[] results = search(graph, pooled, query, entry, ef, pool, filter);

        String what = "trial " + trial + ", ef " + ef + ", pool " + pool;
        assertEquals(plain.scored, pooled.scored, what + ": the same nodes scored");
        assertArrayEquals(beam, Arrays.copyOf(results, beam.length), what + ": the beam's best");
        long[] reference =
            pooled.scored.stream()
                .filter(node -> filter == null || filter.test(node))
                .mapToLong(node -> LongHeap.encode(pooled.scores[node], node))
                .sorted()
                .limit(pool)
                .toArray();
        assertArrayEquals(reference, results, what + ": the pool, best of all scored");
      }
    }
  }

  private static long[] search(
      GraphView graph,
      VectorScorer scorer,
      float[] query,
      int entry,
      int ef,
      int pool,
      LongPredicate filter) {
    SearchContext context = SearchContext.acquire(graph.m(), scorer.dimension());
    try {
      int[] entries = context.entries(1);
      entries[0] = entry;
      if (pool == ef) {
        GraphSearch.searchLayer(graph, scorer, context, query, entries, 1, 0, ef, null, filter);
      } else {
        GraphSearch.searchLayer(
            graph, scorer, context, query, entries, 1, 0, ef, pool, null, filter);
      }
      int found = context.drainResults();
      return Arrays.copyOf(context.sorted(), found);
    } finally {
      context.release();
    }
  }

  /** Squared L2 over arrays, recording every node it scores. */
  private static final class Recording implements VectorScorer {
    final float[][] vectors;
    final BitSet scored = new BitSet();
    final float[] scores;

    Recording(float[][] vectors) {
      this.vectors = vectors;
      this.scores = new float[vectors.length];
    }

    @Override
    public int dimension() {
      return vectors[0].length;
    }

    @Override
    public long size() {
      return vectors.length;
    }

    @Override
    public void read(int node, float[] dst, int offset) {
      System.arraycopy(vectors[node], 0, dst, offset, vectors[node].length);
    }

    @Override
    public float score(float[] query, int node, float[] scratch) {
      float sum = compare(query, 0, vectors[node], 0);
      scored.set(node);
      scores[node] = sum;
      return sum;
    }

    @Override
    public float compare(float[] a, int aOffset, float[] b, int bOffset) {
      float sum = 0;
      for (int i = 0; i < dimension(); i++) {
        float d = a[aOffset + i] - b[bOffset + i];
        sum += d * d;
      }
      return sum;
    }

    @Override
    public float distance(float score) {
      return (float) Math.sqrt(score);
    }
  }
}
