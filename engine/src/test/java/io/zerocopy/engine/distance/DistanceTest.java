package io.zerocopy.engine.distance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The seed's formulas and the facade's checks. */
class DistanceTest {

  private final float[] a = {1, 2, 3};
  private final float[] b = {4, 6, 3};

  @Test
  void l2IsEuclidean() {
    assertEquals(5f, Distance.calculate(a, b, Metric.L2), 1e-6);
  }

  @Test
  void dotIsNegatedInnerProduct() {
    assertEquals(-(4 + 12 + 9), Distance.calculate(a, b, Metric.DOT), 1e-6);
  }

  @Test
  void cosineIsOneMinusSimilarity() {
    double similarity = 25 / (Math.sqrt(14) * Math.sqrt(61));
    assertEquals(1 - similarity, Distance.calculate(a, b, Metric.COSINE), 1e-6);
    assertEquals(0f, Distance.calculate(a, new float[] {2, 4, 6}, Metric.COSINE), 1e-6);
    assertEquals(1f, Distance.calculate(a, new float[3], Metric.COSINE));
  }

  @Test
  void mismatchedDimensionsNameBoth() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Distance.calculate(new float[3], new float[5], Metric.L2));
    assertTrue(e.getMessage().contains("3") && e.getMessage().contains("5"), e.getMessage());
  }

  @Test
  void metricParsesTheSeedNames() {
    assertEquals(Metric.L2, Metric.parse("l2"));
    assertEquals(Metric.COSINE, Metric.parse("Cosine"));
    assertEquals(Metric.DOT, Metric.parse(" dot "));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Metric.parse("euclid"));
    assertTrue(e.getMessage().contains("euclid") && e.getMessage().contains("l2, cosine, dot"));
  }
}
