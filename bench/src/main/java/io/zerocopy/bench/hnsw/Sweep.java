package io.zerocopy.bench.hnsw;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The points of one library's ef sweep and the QPS read off them at a target recall. */
final class Sweep {

  /**
   * One beam width: mean recall@k over the queries and the best single-thread QPS of the passes.
   */
  record Point(int ef, double recall, double qps) {}

  /**
   * QPS at {@code target} recall: NaN when no point reaches it; {@code lowerBound} when even the
   * smallest ef already exceeds it (the QPS there is then a lower bound).
   */
  record AtRecall(double qps, boolean lowerBound) {
    boolean reached() {
      return !Double.isNaN(qps);
    }
  }

  private Sweep() {}

  /**
   * Linear interpolation of QPS against recall along the Pareto frontier of the points (the best
   * QPS for at least a given recall), between the two frontier points that bracket {@code target}.
   */
  static AtRecall qpsAt(List<Point> points, double target) {
    // frontier: walking down from the highest recall, keep points whose QPS beats all seen so far
    List<Point> byRecall = new ArrayList<>(points);
    byRecall.sort(Comparator.comparingDouble(Point::recall).reversed());
    List<Point> frontier = new ArrayList<>();
    double bestQps = -1;
    for (Point p : byRecall) {
      if (p.qps() > bestQps) {
        frontier.add(p);
        bestQps = p.qps();
      }
    }
    // frontier is ordered by recall descending and QPS ascending
    Point above = null;
    for (Point p : frontier) {
      if (p.recall() >= target) {
        above = p; // the fastest point so far with recall >= target
      } else {
        if (above == null) {
          return new AtRecall(Double.NaN, false);
        }
        double t = (target - p.recall()) / (above.recall() - p.recall());
        return new AtRecall(p.qps() + t * (above.qps() - p.qps()), false);
      }
    }
    if (above == null) {
      return new AtRecall(Double.NaN, false);
    }
    // every frontier point reaches the target: the fastest is a lower bound
    return new AtRecall(above.qps(), above.recall() > target);
  }

  /** Mean over queries of |found ∩ truth[0..k)| / k. */
  static double recall(int[][] found, int[] foundCounts, int[][] truth, int k) {
    double sum = 0;
    for (int q = 0; q < found.length; q++) {
      int[] exact = truth[q];
      int want = Math.min(k, exact.length);
      int hits = 0;
      for (int i = 0; i < foundCounts[q]; i++) {
        for (int j = 0; j < want; j++) {
          if (found[q][i] == exact[j]) {
            hits++;
            break;
          }
        }
      }
      sum += want == 0 ? 1.0 : (double) hits / want;
    }
    return sum / found.length;
  }
}
