package io.zerocopy.bench.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HnswComparisonTest {

  private static final MemoryProbe.Snapshot NONE = new MemoryProbe.Snapshot(0, 0, -1, -1, -1);

  private static LibraryResult result(String name, double build, Sweep.Point... points) {
    return new LibraryResult(name, "1", "", build, NONE, NONE, List.of(points), null);
  }

  @Test
  void eachLibraryReportsItsBestRoundWholeAndTheShortestBuild() {
    // round 2 ran in a slow minute: its sweep lies under round 1's, its build was shorter
    LibraryResult fast =
        result("ours", 12.0, new Sweep.Point(10, 0.90, 9000), new Sweep.Point(20, 0.97, 6000));
    LibraryResult slow =
        result("ours", 10.0, new Sweep.Point(10, 0.91, 8000), new Sweep.Point(20, 0.96, 5000));
    LibraryResult peer = result("peer", 5.0, new Sweep.Point(10, 0.95, 7000));
    LibraryResult peerLater = result("peer", 6.0, new Sweep.Point(10, 0.95, 7500));
    List<LibraryResult> pooled =
        HnswComparison.pooled(List.of(List.of(fast, peer), List.of(slow, peerLater)));

    assertEquals(fast.sweep(), pooled.get(0).sweep());
    assertEquals(10.0, pooled.get(0).buildSeconds());
    assertEquals(peerLater.sweep(), pooled.get(1).sweep());
    assertEquals(5.0, pooled.get(1).buildSeconds());
    // round 1 alone: 9000 + (0.05 / 0.07) * (6000 - 9000)
    assertEquals(9000 - 3000 * 5.0 / 7.0, Sweep.qpsAt(pooled.get(0).sweep(), 0.95).qps(), 1e-6);
  }

  @Test
  void aLibraryThatFailedInAnyRoundIsReportedFailed() {
    LibraryResult failed =
        new LibraryResult("ours", "1", "", Double.NaN, NONE, NONE, List.of(), "OutOfMemoryError");
    List<LibraryResult> pooled =
        HnswComparison.pooled(
            List.of(List.of(result("ours", 1.0, new Sweep.Point(10, 0.9, 1))), List.of(failed)));
    assertTrue(pooled.get(0).failed());
  }
}
