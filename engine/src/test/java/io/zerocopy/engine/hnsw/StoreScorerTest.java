package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The scorer's batch form scores as its one-by-one form, bit for bit, on a prepared query; the
 * exact distance it reports is the seed's.
 */
class StoreScorerTest {

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Metric.class)
  void scoreAllIsScoreOneByOne(Metric metric) throws Exception {
    SplittableRandom random = new SplittableRandom(9);
    for (int dimension : new int[] {3, 16, 33, 100, 384}) {
      float[][] vectors = new float[40][dimension];
      for (float[] v : vectors) {
        for (int i = 0; i < dimension; i++) {
          v[i] = (float) random.nextGaussian();
        }
      }
      vectors[7] = new float[dimension]; // a zero vector
      Path file = dir.resolve(metric + "-" + dimension + ".vec");
      VectorStore.create(file, vectors);
      try (VectorStore store = VectorStore.open(file)) {
        StoreScorer scorer = new StoreScorer(store, metric, VectorKernel.selected());
        float[] query = vectors[3].clone();
        float[] prepared = scorer.prepare(query, new float[dimension]);
        int[] nodes = {5, 7, 0, 39, 12, 3, 8};
        float[] scores = new float[nodes.length];
        scorer.scoreAll(prepared, nodes, nodes.length, scores, new float[nodes.length * dimension]);
        float[] scratch = new float[dimension];
        for (int i = 0; i < nodes.length; i++) {
          String where = metric + " d " + dimension + " node " + nodes[i];
          assertEquals(scorer.score(prepared, nodes[i], scratch), scores[i], where);
          assertEquals(
              Distance.calculate(query, vectors[nodes[i]], metric),
              scorer.exactDistance(query, nodes[i], scratch),
              where);
          // ranking and seed distance agree up to rounding
          assertEquals(
              Distance.calculate(query, vectors[nodes[i]], metric),
              scorer.distance(scores[i]),
              1e-4 * Math.max(1, Math.abs(scorer.distance(scores[i]))),
              where);
        }
      }
    }
  }
}
