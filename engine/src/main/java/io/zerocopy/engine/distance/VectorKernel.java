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

  /**
   * Queries per row of {@link #approximateDots}' output for {@code queryCount} queries: the count
   * rounded up to the kernel's tile.
   */
  default int queryStride(int queryCount) {
    return queryCount;
  }

  /**
   * {@code queryCount} row-major queries laid out for {@link #approximateDots}, padded with zeros
   * to {@link #queryStride} queries.
   */
  default float[] packQueries(float[] queries, int queryCount, int len) {
    return java.util.Arrays.copyOf(queries, queryCount * len);
  }

  /**
   * {@code out[v * queryStride + q]} is about {@code dot(query q, vector v)} for every pair of
   * {@link #packQueries packed} queries and {@code count} row-major vectors: a matrix product, many
   * pairs per load, added in another order than {@link #dot}. Each is within {@code γ(len) · Σ|q_i
   * x_i|} of the true dot product ({@code γ(n) = n u / (1 - n u)}, {@code u = 2^-24}), as is {@link
   * #dot}: callers that must report the kernels' exact values re-score the pairs this bound cannot
   * decide.
   */
  default void approximateDots(
      float[] packedQueries, int queryCount, float[] vectors, int count, int len, float[] out) {
    int stride = queryStride(queryCount);
    for (int v = 0; v < count; v++) {
      for (int q = 0; q < queryCount; q++) {
        out[v * stride + q] = dot(packedQueries, q * len, vectors, v * len, len);
      }
    }
  }

  /**
   * The smallest {@code i} in {@code [from, count)} whose {@code values[offset + i]} is not below
   * its threshold {@code scale * slope[i] + (base[i] + shift)} (in float, in that order; a NaN
   * value or threshold is not below), or {@code count} if there is none: the screen of a batch's
   * approximate scores, many pairs per instruction, that leaves only possible hits to scalar code.
   */
  default int firstNotBelow(
      float[] values,
      int offset,
      float[] base,
      float[] slope,
      float shift,
      float scale,
      int from,
      int count) {
    for (int i = from; i < count; i++) {
      if (!(values[offset + i] < scale * slope[i] + (base[i] + shift))) {
        return i;
      }
    }
    return count;
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
