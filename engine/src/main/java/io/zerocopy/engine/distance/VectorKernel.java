package io.zerocopy.engine.distance;

/**
 * The primitive float kernels every search runs on. Two implementations exist: a scalar one and one
 * on the incubating Vector API; {@link #selected()} picks one once per JVM and logs which.
 * Arguments are not checked here: callers validate at their public entry points.
 */
public interface VectorKernel {

  /** "panama" or "scalar". */
  String name();

  /** {@code sum(a[i] * b[i])} over {@code len} elements. */
  float dot(float[] a, int aOffset, float[] b, int bOffset, int len);

  /** {@code sum((a[i] - b[i])^2)} over {@code len} elements. */
  float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int len);

  /** {@code 1 - a·b / (|a| |b|)}, or 1 when either vector is zero. */
  float cosineDistance(float[] a, int aOffset, float[] b, int bOffset, int len);

  /**
   * The cosine distance from a query already scaled to unit length: {@code 1 - u·b / |b|}, or 1
   * when {@code b} is zero. Two sums per element instead of {@link #cosineDistance}'s three: the
   * query's norm is known. Equal to {@code cosineDistance} up to rounding, not bit for bit.
   */
  float cosineDistanceToUnit(float[] unit, int unitOffset, float[] b, int bOffset, int len);

  /**
   * {@code out[outOffset + v] = squareDistance(query, vectors[vectorsOffset + v * len])} for {@code
   * count} consecutive vectors: the batch form exact search runs, with results identical to the
   * single-pair method.
   */
  default void squareDistances(
      float[] query,
      int queryOffset,
      float[] vectors,
      int vectorsOffset,
      int count,
      int len,
      float[] out,
      int outOffset) {
    for (int v = 0; v < count; v++) {
      out[outOffset + v] =
          squareDistance(query, queryOffset, vectors, vectorsOffset + v * len, len);
    }
  }

  /** {@code out[outOffset + v] = dot(query, vector v)}; see {@link #squareDistances}. */
  default void dots(
      float[] query,
      int queryOffset,
      float[] vectors,
      int vectorsOffset,
      int count,
      int len,
      float[] out,
      int outOffset) {
    for (int v = 0; v < count; v++) {
      out[outOffset + v] = dot(query, queryOffset, vectors, vectorsOffset + v * len, len);
    }
  }

  /** The kernel this JVM uses, chosen once (Vector API when its module is readable). */
  static VectorKernel selected() {
    return KernelSelection.SELECTED;
  }

  /** The scalar reference kernel, whatever {@link #selected()} is. */
  static VectorKernel scalar() {
    return ScalarKernel.INSTANCE;
  }
}
