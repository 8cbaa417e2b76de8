package io.zerocopy.bench.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SweepTest {

  private static final List<Sweep.Point> POINTS =
      List.of(
          new Sweep.Point(10, 0.80, 10_000),
          new Sweep.Point(32, 0.90, 6_000),
          new Sweep.Point(64, 0.96, 4_000),
          new Sweep.Point(128, 0.99, 2_000),
          // dominated: slower and no better than ef=128
          new Sweep.Point(192, 0.99, 1_500));

  @Test
  void interpolatesBetweenTheBracketingPoints() {
    Sweep.AtRecall at = Sweep.qpsAt(POINTS, 0.93);
    assertEquals(5_000, at.qps(), 1e-6);
    assertFalse(at.lowerBound());
    assertEquals(6_000, Sweep.qpsAt(POINTS, 0.90).qps(), 1e-6);
    assertEquals(2_000, Sweep.qpsAt(POINTS, 0.99).qps(), 1e-6);
  }

  @Test
  void unreachedTargetIsNaN() {
    assertFalse(Sweep.qpsAt(POINTS, 0.995).reached());
  }

  @Test
  void targetBelowTheSmallestEfIsALowerBound() {
    Sweep.AtRecall at = Sweep.qpsAt(POINTS, 0.5);
    assertEquals(10_000, at.qps(), 1e-6);
    assertTrue(at.lowerBound());
  }

  @Test
  void recallCountsIdsInTheExactTopK() {
    int[][] found = {{1, 2, 3}, {7, 8, 9}};
    int[][] truth = {{3, 2, 1}, {7, 0, 0}};
    assertEquals((1.0 + 1.0 / 3) / 2, Sweep.recall(found, new int[] {3, 3}, truth, 3), 1e-12);
  }
}
