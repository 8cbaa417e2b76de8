package io.zerocopy.engine.distance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Metric's arithmetic against the seed's formulas, computed in double on random vectors. */
class MetricTest {

  private static final VectorKernel KERNEL = VectorKernel.selected();

  private static double seed(Metric metric, float[] a, float[] b) {
    double dot = 0;
    double aa = 0;
    double bb = 0;
    double squares = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      aa += (double) a[i] * a[i];
      bb += (double) b[i] * b[i];
      squares += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
    }
    switch (metric) {
      case L2:
        return Math.sqrt(squares);
      case COSINE:
        return aa == 0 || bb == 0 ? 1 : 1 - dot / Math.sqrt(aa * bb);
      default:
        return -dot;
    }
  }

  private static float[] random(SplittableRandom random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextDouble() * 4 - 2);
    }
    return v;
  }

  @Test
  void reportedDistancesAreTheSeedsAndScoresRankAsDistancesDo() {
    SplittableRandom random = new SplittableRandom(3);
    for (Metric metric : Metric.values()) {
      for (int trial = 0; trial < 500; trial++) {
        int n = 1 + random.nextInt(300);
        float[] q = random(random, n);
        float[] a = random(random, n);
        float[] b = random(random, n);
        if (trial % 50 == 0) {
          a = new float[n]; // the zero vector: cosine distance 1
        }
        float scoreA = metric.score(KERNEL, q, 0, a, 0, n);
        float scoreB = metric.score(KERNEL, q, 0, b, 0, n);
        float distanceA = metric.distance(scoreA);
        assertEquals(Distance.calculate(q, a, metric), distanceA, 0f, metric + " n " + n);
        double expected = seed(metric, q, a);
        assertEquals(expected, distanceA, 1e-4 * Math.max(1, Math.abs(expected)), metric + "");
        // ranking by score is ranking by distance
        assertTrue(
            Float.compare(scoreA, scoreB) * Float.compare(distanceA, metric.distance(scoreB)) >= 0,
            metric + " trial " + trial);
      }
    }
  }

  @Test
  void aBlockScoresAsItsVectorsOneByOne() {
    SplittableRandom random = new SplittableRandom(4);
    for (Metric metric : Metric.values()) {
      int dimension = 1 + random.nextInt(200);
      int count = 1 + random.nextInt(40);
      float[] query = random(random, dimension);
      float[] block = random(random, dimension * count);
      float[] norms = new float[count];
      for (int v = 0; v < count; v++) {
        norms[v] = KERNEL.dot(block, v * dimension, block, v * dimension, dimension);
      }
      float[] scores = new float[count];
      float queryNorm = KERNEL.dot(query, 0, query, 0, dimension);
      metric.scoreBlock(KERNEL, query, 0, queryNorm, block, count, dimension, norms, scores);
      for (int v = 0; v < count; v++) {
        float one = metric.score(KERNEL, query, 0, block, v * dimension, dimension);
        assertEquals(one, scores[v], 1e-5f * Math.max(1f, Math.abs(one)), metric + " row " + v);
      }
    }
  }
}
