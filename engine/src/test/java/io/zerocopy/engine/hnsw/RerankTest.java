package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.codes.Int8CodesTest;
import io.zerocopy.engine.codes.QuantizedCodes;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Re-ranking in the order of lower bounds returns what re-ranking every candidate returns, and the
 * bounds of 8-bit codes are lower bounds of the exact distances.
 */
class RerankTest {

  @TempDir Path dir;

  /** Against a sort of every candidate's exact distance, with ties, equal bounds and no bounds. */
  @Test
  void boundedReRankingEqualsReRankingEveryCandidate() {
    SplittableRandom random = new SplittableRandom(3);
    SearchContext context = SearchContext.acquire(16, 4);
    try {
      for (int trial = 0; trial < 3_000; trial++) {
        int count = random.nextInt(0, 120);
        int k = random.nextInt(1, 30);
        float[] exact = new float[count];
        long[] byBound = new long[count];
        int[] ids = distinctIds(random, count);
        for (int i = 0; i < count; i++) {
          // few distinct distances: ties between candidates and with the k-th
          exact[i] = random.nextInt(0, 1 + random.nextInt(1, 40));
          float lower;
          switch (random.nextInt(4)) {
            case 0 -> lower = exact[i]; // as tight as can be: equal to the distance
            case 1 -> lower = Float.NEGATIVE_INFINITY; // no bound
            default -> lower = exact[i] - (float) random.nextDouble(0, 10);
          }
          byBound[i] = LongHeap.encode(lower, ids[i]);
        }
        float[] byId = new float[1_000];
        for (int i = 0; i < count; i++) {
          byId[ids[i]] = exact[i];
        }
        List<Integer> read = new ArrayList<>();
        Rerank.Reader reader =
            new Rerank.Reader() {
              @Override
              public int touch(int[] nodes, int n) {
                return n;
              }

              @Override
              public float exactDistance(int node) {
                read.add(node);
                return byId[node];
              }
            };
        Neighbor[] bounded =
            Rerank.best(byBound.clone(), count, k, new int[count], reader, context);
        Neighbor[] all = new Neighbor[count];
        for (int i = 0; i < count; i++) {
          all[i] = new Neighbor(ids[i], exact[i]);
        }
        Arrays.sort(all, Neighbor.ORDER);
        assertEquals(
            List.of(Arrays.copyOf(all, Math.min(k, count))),
            List.of(bounded),
            "trial " + trial + ": " + count + " candidates, k " + k);
        assertEquals(read.size(), read.stream().distinct().count(), "each read once");
      }
    } finally {
      context.release();
    }
  }

  private static int[] distinctIds(SplittableRandom random, int count) {
    int[] pool = new int[1_000];
    for (int i = 0; i < pool.length; i++) {
      pool[i] = i;
    }
    for (int i = 0; i < count; i++) {
      int j = random.nextInt(i, pool.length);
      int t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
    return Arrays.copyOf(pool, count);
  }

  /**
   * Every query against every vector: the codes' lower bound is at most the exact distance, on
   * clustered data and on data far from the origin (where the floats' rounding is largest).
   */
  @ParameterizedTest
  @EnumSource(
      value = Metric.class,
      names = {"L2", "COSINE"})
  void lowerBoundsOfInt8CodesAreBelowTheExactDistances(Metric metric) throws Exception {
    float[][][] data = HnswTestData.mixtureWithQueries(1_200, 60, 48, 8, 21);
    for (int v = 0; v < 300; v++) {
      for (int i = 0; i < 48; i++) {
        data[0][v][i] = data[0][v][i] * 0.01f + 3e3f;
      }
    }
    for (int q = 0; q < 10; q++) {
      data[1][q] = data[0][q * 17].clone(); // queries on stored vectors: distance 0
    }
    Path file = dir.resolve("bounds.vec");
    Path codesFile = dir.resolve("bounds.i8");
    VectorStore.create(file, data[0]);
    try (VectorStore store = VectorStore.open(file)) {
      QuantizedCodes.write(QuantizedCodes.Kind.INT8, codesFile, store, metric);
      VectorKernel kernel = VectorKernel.selected();
      StoreScorer floats = new StoreScorer(store, metric, kernel);
      try (QuantizedCodes codes = QuantizedCodes.open(codesFile, store)) {
        CodesScorer scorer = new CodesScorer(codes, floats, metric, kernel, 16);
        float[] scratch = new float[48];
        for (float[] query : data[1]) {
          float[] prepared = scorer.prepare(query, new float[48]);
          double norm = scorer.queryNorm(query);
          for (int v = 0; v < data[0].length; v++) {
            float lower = scorer.lowerBound(scorer.score(prepared, v, scratch), v, norm);
            float exact = scorer.exactDistance(query, v, scratch);
            assertTrue(lower <= exact, metric + " vector " + v + ": " + lower + " > " + exact);
          }
        }
      }
    }
  }

  /**
   * A search on codes with bounds returns what it returns on the same codes without bounds (a
   * version 1 file, whose searches re-rank every candidate), from fewer float32 vectors read.
   */
  @ParameterizedTest
  @EnumSource(
      value = Metric.class,
      names = {"L2", "COSINE", "DOT"})
  void searchesWithBoundsReturnWhatFullReRankingReturns(Metric metric) throws Exception {
    float[][][] data = HnswTestData.mixtureWithQueries(3_000, 100, 32, 12, 9);
    Path file = dir.resolve("data.vec");
    Path graph = dir.resolve("data.hnsw");
    Path codes = dir.resolve("data.i8");
    Path oldCodes = dir.resolve("data-v1.i8");
    VectorStore.create(file, data[0]);
    try (VectorStore store = VectorStore.open(file);
        HnswIndex index = new HnswIndex(store, 16, 100, metric)) {
      index.build(1);
      index.save(graph);
      index.quantize(codes);
    }
    Files.write(oldCodes, Int8CodesTest.toVersion1(Files.readAllBytes(codes), data[0].length));
    try (HnswIndex bounded = HnswIndex.open(file, graph, codes);
        HnswIndex full = HnswIndex.open(file, graph, oldCodes)) {
      long readBounded = 0;
      long readFull = 0;
      for (float[] query : data[1]) {
        long before = HnswIndex.rerankedOnThisThread();
        List<Neighbor> expected = full.search(query, 10, 40);
        long middle = HnswIndex.rerankedOnThisThread();
        List<Neighbor> found = bounded.search(query, 10, 40);
        readFull += middle - before;
        readBounded += HnswIndex.rerankedOnThisThread() - middle;
        assertEquals(expected, found);
      }
      if (metric == Metric.DOT) {
        assertEquals(readFull, readBounded, "dot keeps no bound: every candidate is re-ranked");
      } else if (metric == Metric.L2) {
        assertTrue(readBounded * 2 < readFull, readBounded + " read, of " + readFull);
      } else {
        // these tight clusters at unit length are closer than the codes' error: bounds rule few
        // out (real embeddings: HnswCodesTest.fashionMnistSample, MiniLmQuantizedRecallTest)
        assertTrue(readBounded <= readFull, readBounded + " read, of " + readFull);
      }
    }
  }
}
