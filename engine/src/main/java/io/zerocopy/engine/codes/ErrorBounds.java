package io.zerocopy.engine.codes;

import io.zerocopy.engine.distance.Metric;

/**
 * Bounds of a vector's exact distance (as reported) from its codes' score and its error bound r
 * ({@link QuantizedCodes#errorBound}: the vector is at most r from its decoded codes). By the
 * triangle inequality L2 lies within {@code sqrt(score) ± r} and, on unit vectors (a cosine index's
 * codes, a query scaled to unit length), cosine within {@code score ± r}; each widened by a margin
 * for the rounding of both computations (a float sum errs by at most dimension × 2⁻²⁴ of the
 * magnitudes summed, taken here four times over). The dot metric gets no bound: ±∞.
 */
public final class ErrorBounds {

  private ErrorBounds() {}

  /** Whether {@code metric}'s distances are bounded by codes with finite error bounds. */
  public static boolean bounds(Metric metric) {
    return metric != Metric.DOT;
  }

  /** The query's length, which scales the rounding of L2 scores. */
  public static double queryNorm(float[] query) {
    double squared = 0;
    for (float v : query) {
      squared += (double) v * v;
    }
    return Math.sqrt(squared);
  }

  /** A lower bound of the exact distance of a vector whose codes score {@code score}. */
  public static float lower(
      Metric metric, float score, float errorBound, double queryNorm, int dimension) {
    if (!bounds(metric) || !(errorBound < Float.POSITIVE_INFINITY) || Float.isNaN(score)) {
      return Float.NEGATIVE_INFINITY;
    }
    double lower;
    if (metric == Metric.L2) {
      double distance = Math.sqrt(Math.max(0, score));
      lower = distance - errorBound - margin(metric, distance, errorBound, queryNorm, dimension);
    } else {
      // the query is at unit length (a zero query at length 0): |u·(x - x')| <= r
      lower = score - (1 + 1e-6) * errorBound - margin(metric, 0, errorBound, 1, dimension);
    }
    float rounded = (float) lower;
    return rounded > lower ? Math.nextDown(rounded) : rounded;
  }

  /** An upper bound of the exact distance of a vector whose codes score {@code score}. */
  public static float upper(
      Metric metric, float score, float errorBound, double queryNorm, int dimension) {
    if (!bounds(metric) || !(errorBound < Float.POSITIVE_INFINITY) || Float.isNaN(score)) {
      return Float.POSITIVE_INFINITY;
    }
    double upper;
    if (metric == Metric.L2) {
      double distance = Math.sqrt(Math.max(0, score));
      upper = distance + errorBound + margin(metric, distance, errorBound, queryNorm, dimension);
    } else {
      upper = score + (1 + 1e-6) * errorBound + margin(metric, 0, errorBound, 1, dimension);
    }
    float rounded = (float) upper;
    return rounded < upper ? Math.nextUp(rounded) : rounded;
  }

  private static double margin(
      Metric metric, double distance, float errorBound, double queryNorm, int dimension) {
    double rounding = 4.0 * dimension * 0x1p-24;
    return metric == Metric.L2
        ? rounding * (2 * queryNorm + 2 * distance + errorBound)
        : rounding * (3 + errorBound);
  }
}
