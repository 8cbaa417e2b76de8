package io.zerocopy.engine.distance;

/**
 * The seed's {@code calculate_distance}: checks its inputs, then runs the kernel this JVM selected
 * ({@link VectorKernel#selected()}).
 */
public final class Distance {

  private static final VectorKernel KERNEL = VectorKernel.selected();

  private Distance() {}

  /** The distance between {@code a} and {@code b} under {@code metric}; smaller is closer. */
  public static float calculate(float[] a, float[] b, Metric metric) {
    if (a == null || b == null || metric == null) {
      throw new IllegalArgumentException("vectors and metric must not be null");
    }
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "vector dimensions differ: " + a.length + " != " + b.length);
    }
    return of(KERNEL, metric, a, 0, b, 0, a.length);
  }

  /**
   * The metric's distance through a given kernel, without checks: for searches that validated their
   * inputs once. L2 is the true (square-rooted) distance.
   */
  public static float of(
      VectorKernel kernel, Metric metric, float[] a, int aOffset, float[] b, int bOffset, int len) {
    return metric.distance(metric.score(kernel, a, aOffset, b, bOffset, len));
  }

  /** The name of the kernel this JVM uses: "panama" or "scalar". */
  public static String kernelName() {
    return KERNEL.name();
  }
}
