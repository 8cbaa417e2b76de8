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

  /**
   * {@code sum((residual[i] - step[i] * codes[codesOffset + i])^2)} over {@code len} elements: the
   * squared distance from a query to a vector decoded from signed 8-bit codes ({@code x = offset +
   * step * code}), with {@code residual = query - offset}.
   */
  default float int8SquareDistance(
      float[] residual, float[] step, byte[] codes, int codesOffset, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < len; i += 4) {
      float d0 = residual[i] - step[i] * codes[codesOffset + i];
      float d1 = residual[i + 1] - step[i + 1] * codes[codesOffset + i + 1];
      float d2 = residual[i + 2] - step[i + 2] * codes[codesOffset + i + 2];
      float d3 = residual[i + 3] - step[i + 3] * codes[codesOffset + i + 3];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; i < len; i++) {
      float d = residual[i] - step[i] * codes[codesOffset + i];
      s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * {@code sum(weight[i] * codes[codesOffset + i])} over {@code len} elements: a query's dot
   * product with a vector of signed 8-bit codes, less the constant part ({@code weight = query *
   * step}).
   */
  default float int8Dot(float[] weight, byte[] codes, int codesOffset, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < len; i += 4) {
      s0 += weight[i] * codes[codesOffset + i];
      s1 += weight[i + 1] * codes[codesOffset + i + 1];
      s2 += weight[i + 2] * codes[codesOffset + i + 2];
      s3 += weight[i + 3] * codes[codesOffset + i + 3];
    }
    for (; i < len; i++) {
      s0 += weight[i] * codes[codesOffset + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * {@code out[v] = int8SquareDistance(residual, step, codes at v * len)} for {@code count}
   * consecutive code rows, with the single-row method's results.
   */
  default void int8SquareDistances(
      float[] residual, float[] step, byte[] codes, int count, int len, float[] out) {
    for (int v = 0; v < count; v++) {
      out[v] = int8SquareDistance(residual, step, codes, v * len, len);
    }
  }

  /** {@code out[v] = int8Dot(weight, codes at v * len)}; see {@link #int8SquareDistances}. */
  default void int8Dots(float[] weight, byte[] codes, int count, int len, float[] out) {
    for (int v = 0; v < count; v++) {
      out[v] = int8Dot(weight, codes, v * len, len);
    }
  }

  /**
   * One sub-space's lookup table of a product quantizer: {@code out[outOffset + c]} for each of the
   * {@code centroids} centroids, from the sub-space's {@code width} query values {@code
   * query[queryOffset + i] * scale} and its centroids stored dimension-major ({@code
   * transposed[transposedOffset + i * centroids + c]}): the sum over i of {@code (q - t)²} when
   * {@code squared}, else of {@code -(q * t)}, added dimension by dimension from zero, each product
   * rounded before it is added, so that every kernel gives the same floats.
   */
  default void productTable(
      float[] query,
      int queryOffset,
      int width,
      float scale,
      float[] transposed,
      int transposedOffset,
      int centroids,
      boolean squared,
      float[] out,
      int outOffset) {
    java.util.Arrays.fill(out, outOffset, outOffset + centroids, 0f);
    for (int i = 0; i < width; i++) {
      float q = query[queryOffset + i] * scale;
      int row = transposedOffset + i * centroids;
      if (squared) {
        for (int c = 0; c < centroids; c++) {
          float diff = q - transposed[row + c];
          out[outOffset + c] += diff * diff;
        }
      } else {
        for (int c = 0; c < centroids; c++) {
          out[outOffset + c] -= q * transposed[row + c];
        }
      }
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
