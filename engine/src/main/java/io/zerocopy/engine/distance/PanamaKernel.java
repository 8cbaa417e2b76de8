package io.zerocopy.engine.distance;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the incubating Vector API. Loaded by name from {@link KernelSelection} only when
 * {@code jdk.incubator.vector} is readable, so no other class links against the module.
 */
final class PanamaKernel implements VectorKernel {

  static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  static final int LANES = SPECIES.length();

  /** A static constant, so C2 folds the branch in {@link #multiplyAdd} away. */
  private static final boolean USE_FMA = KernelSelection.hardwareFma();

  PanamaKernel() {}

  static boolean usesFma() {
    return USE_FMA;
  }

  static int vectorBitSize() {
    return SPECIES.vectorBitSize();
  }

  @Override
  public String name() {
    return "panama";
  }

  static FloatVector multiplyAdd(FloatVector x, FloatVector y, FloatVector acc) {
    // without hardware FMA the Vector API emulates fma lane by lane, far slower than mul + add
    return USE_FMA ? x.fma(y, acc) : x.mul(y).add(acc);
  }

  @Override
  public float dot(float[] a, int aOffset, float[] b, int bOffset, int len) {
    int i = 0;
    float sum = 0;
    if (len >= 2 * LANES) {
      FloatVector acc0 = FloatVector.zero(SPECIES);
      FloatVector acc1 = FloatVector.zero(SPECIES);
      FloatVector acc2 = FloatVector.zero(SPECIES);
      FloatVector acc3 = FloatVector.zero(SPECIES);
      int unrolledBound = len - 4 * LANES;
      for (; i <= unrolledBound; i += 4 * LANES) {
        acc0 = multiplyAdd(lane(a, aOffset + i), lane(b, bOffset + i), acc0);
        acc1 = multiplyAdd(lane(a, aOffset + i + LANES), lane(b, bOffset + i + LANES), acc1);
        acc2 =
            multiplyAdd(lane(a, aOffset + i + 2 * LANES), lane(b, bOffset + i + 2 * LANES), acc2);
        acc3 =
            multiplyAdd(lane(a, aOffset + i + 3 * LANES), lane(b, bOffset + i + 3 * LANES), acc3);
      }
      for (; i <= len - LANES; i += LANES) {
        acc0 = multiplyAdd(lane(a, aOffset + i), lane(b, bOffset + i), acc0);
      }
      sum = sum(acc0.add(acc1).add(acc2.add(acc3)));
    }
    for (; i < len; i++) {
      sum += a[aOffset + i] * b[bOffset + i];
    }
    return sum;
  }

  @Override
  public float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int len) {
    int i = 0;
    float sum = 0;
    if (len >= 2 * LANES) {
      FloatVector acc0 = FloatVector.zero(SPECIES);
      FloatVector acc1 = FloatVector.zero(SPECIES);
      FloatVector acc2 = FloatVector.zero(SPECIES);
      FloatVector acc3 = FloatVector.zero(SPECIES);
      int unrolledBound = len - 4 * LANES;
      for (; i <= unrolledBound; i += 4 * LANES) {
        FloatVector d0 = lane(a, aOffset + i).sub(lane(b, bOffset + i));
        FloatVector d1 = lane(a, aOffset + i + LANES).sub(lane(b, bOffset + i + LANES));
        FloatVector d2 = lane(a, aOffset + i + 2 * LANES).sub(lane(b, bOffset + i + 2 * LANES));
        FloatVector d3 = lane(a, aOffset + i + 3 * LANES).sub(lane(b, bOffset + i + 3 * LANES));
        acc0 = multiplyAdd(d0, d0, acc0);
        acc1 = multiplyAdd(d1, d1, acc1);
        acc2 = multiplyAdd(d2, d2, acc2);
        acc3 = multiplyAdd(d3, d3, acc3);
      }
      for (; i <= len - LANES; i += LANES) {
        FloatVector d = lane(a, aOffset + i).sub(lane(b, bOffset + i));
        acc0 = multiplyAdd(d, d, acc0);
      }
      sum = sum(acc0.add(acc1).add(acc2.add(acc3)));
    }
    for (; i < len; i++) {
      float d = a[aOffset + i] - b[bOffset + i];
      sum += d * d;
    }
    return sum;
  }

  @Override
  public float cosineDistance(float[] a, int aOffset, float[] b, int bOffset, int len) {
    int i = 0;
    float dot = 0, normA = 0, normB = 0;
    if (len >= 2 * LANES) {
      FloatVector dot0 = FloatVector.zero(SPECIES);
      FloatVector dot1 = FloatVector.zero(SPECIES);
      FloatVector na0 = FloatVector.zero(SPECIES);
      FloatVector na1 = FloatVector.zero(SPECIES);
      FloatVector nb0 = FloatVector.zero(SPECIES);
      FloatVector nb1 = FloatVector.zero(SPECIES);
      int unrolledBound = len - 2 * LANES;
      for (; i <= unrolledBound; i += 2 * LANES) {
        FloatVector x0 = lane(a, aOffset + i);
        FloatVector y0 = lane(b, bOffset + i);
        FloatVector x1 = lane(a, aOffset + i + LANES);
        FloatVector y1 = lane(b, bOffset + i + LANES);
        dot0 = multiplyAdd(x0, y0, dot0);
        dot1 = multiplyAdd(x1, y1, dot1);
        na0 = multiplyAdd(x0, x0, na0);
        na1 = multiplyAdd(x1, x1, na1);
        nb0 = multiplyAdd(y0, y0, nb0);
        nb1 = multiplyAdd(y1, y1, nb1);
      }
      for (; i <= len - LANES; i += LANES) {
        FloatVector x = lane(a, aOffset + i);
        FloatVector y = lane(b, bOffset + i);
        dot0 = multiplyAdd(x, y, dot0);
        na0 = multiplyAdd(x, x, na0);
        nb0 = multiplyAdd(y, y, nb0);
      }
      dot = sum(dot0.add(dot1));
      normA = sum(na0.add(na1));
      normB = sum(nb0.add(nb1));
    }
    for (; i < len; i++) {
      float x = a[aOffset + i];
      float y = b[bOffset + i];
      dot += x * y;
      normA += x * x;
      normB += y * y;
    }
    return Cosine.fromParts(dot, normA, normB);
  }

  @Override
  public float cosineDistanceToUnit(float[] u, int uOffset, float[] b, int bOffset, int len) {
    int i = 0;
    float dot = 0, norm = 0;
    if (len >= 2 * LANES) {
      // four independent chains per sum: an FMA's latency is hidden behind the others
      FloatVector d0 = FloatVector.zero(SPECIES), d1 = d0, d2 = d0, d3 = d0;
      FloatVector n0 = d0, n1 = d0, n2 = d0, n3 = d0;
      for (; i <= len - 4 * LANES; i += 4 * LANES) {
        FloatVector y0 = lane(b, bOffset + i);
        FloatVector y1 = lane(b, bOffset + i + LANES);
        FloatVector y2 = lane(b, bOffset + i + 2 * LANES);
        FloatVector y3 = lane(b, bOffset + i + 3 * LANES);
        d0 = multiplyAdd(lane(u, uOffset + i), y0, d0);
        d1 = multiplyAdd(lane(u, uOffset + i + LANES), y1, d1);
        d2 = multiplyAdd(lane(u, uOffset + i + 2 * LANES), y2, d2);
        d3 = multiplyAdd(lane(u, uOffset + i + 3 * LANES), y3, d3);
        n0 = multiplyAdd(y0, y0, n0);
        n1 = multiplyAdd(y1, y1, n1);
        n2 = multiplyAdd(y2, y2, n2);
        n3 = multiplyAdd(y3, y3, n3);
      }
      for (; i <= len - LANES; i += LANES) {
        FloatVector y = lane(b, bOffset + i);
        d0 = multiplyAdd(lane(u, uOffset + i), y, d0);
        n0 = multiplyAdd(y, y, n0);
      }
      dot = sum(d0.add(d1).add(d2.add(d3)));
      norm = sum(n0.add(n1).add(n2.add(n3)));
    }
    for (; i < len; i++) {
      float y = b[bOffset + i];
      dot += u[uOffset + i] * y;
      norm += y * y;
    }
    return Cosine.fromParts(dot, 1f, norm);
  }

  // The matrix product of exact search's batches: queries packed into panels of LANES queries,
  // dimension by dimension (panel p holds component j of its queries at (p * len + j) * LANES),
  // so that one load of a panel times one broadcast element of a vector advances LANES pairs at
  // once, with no sums across lanes. A tile is two panels by four vectors: eight accumulators;
  // a block's last vectors, short of four, run one by one.

  @Override
  public int queryStride(int queryCount) {
    // whole pairs of panels: a lone panel would need its own, rarely compiled, tile
    return (queryCount + 2 * LANES - 1) / (2 * LANES) * (2 * LANES);
  }

  @Override
  public float[] packQueries(float[] queries, int queryCount, int len) {
    float[] packed = new float[queryStride(queryCount) * len];
    for (int q = 0; q < queryCount; q++) {
      int at = q / LANES * len * LANES + q % LANES;
      for (int j = 0; j < len; j++, at += LANES) {
        packed[at] = queries[q * len + j];
      }
    }
    return packed;
  }

  @Override
  public void approximateDots(
      float[] packed, int queryCount, float[] x, int count, int len, float[] out) {
    int stride = queryStride(queryCount);
    int panels = stride / LANES;
    int tiles = count / 4 * 4;
    // a pair of panels stays in L2 while the block's vectors pass by it; the queries, which may
    // not fit there, stream once per block
    for (int p = 0; p < panels; p += 2) {
      for (int v = 0; v < tiles; v += 4) {
        panelsByFour(packed, p * len * LANES, len, x, v * len, out, v * stride + p * LANES, stride);
      }
    }
    for (int v = tiles; v < count; v++) {
      for (int p = 0; p < panels; p++) {
        panelByOne(packed, p * len * LANES, len, x, v * len, out, v * stride + p * LANES);
      }
    }
  }

  @Override
  public int firstNotBelow(
      float[] values,
      int offset,
      float[] base,
      float[] slope,
      float shift,
      float scale,
      int from,
      int count) {
    FloatVector shifts = FloatVector.broadcast(SPECIES, shift);
    FloatVector scales = FloatVector.broadcast(SPECIES, scale);
    int i = from;
    for (; i <= count - LANES; i += LANES) {
      // multiply, then add, as the scalar form does: the same thresholds bit for bit
      FloatVector threshold = lane(slope, i).mul(scales).add(lane(base, i).add(shifts));
      VectorMask<Float> below = lane(values, offset + i).compare(VectorOperators.LT, threshold);
      if (!below.allTrue()) {
        return i + below.not().firstTrue();
      }
    }
    for (; i < count; i++) {
      if (!(values[offset + i] < scale * slope[i] + (base[i] + shift))) {
        return i;
      }
    }
    return count;
  }

  /** Bytes that widen to one float vector: a quarter of its bits (none below 64 bits). */
  static final VectorSpecies<Byte> CODE_SPECIES =
      LANES >= 8
          ? VectorSpecies.of(byte.class, jdk.incubator.vector.VectorShape.forBitSize(LANES * 8))
          : null;

  /** {@code LANES} signed codes from {@code offset}, widened to floats. */
  private static FloatVector codes(byte[] codes, int offset) {
    return (FloatVector)
        ByteVector.fromArray(CODE_SPECIES, codes, offset)
            .convertShape(VectorOperators.B2F, SPECIES, 0);
  }

  @Override
  public float int8SquareDistance(
      float[] residual, float[] step, byte[] codes, int codesOffset, int len) {
    if (LANES < 8) {
      return VectorKernel.super.int8SquareDistance(residual, step, codes, codesOffset, len);
    }
    // one accumulator, in the order of int8SquareDistances: the same result bit for bit
    FloatVector acc = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i <= len - LANES; i += LANES) {
      FloatVector d = lane(residual, i).sub(lane(step, i).mul(codes(codes, codesOffset + i)));
      acc = multiplyAdd(d, d, acc);
    }
    float sum = sum(acc);
    for (; i < len; i++) {
      float d = residual[i] - step[i] * codes[codesOffset + i];
      sum += d * d;
    }
    return sum;
  }

  @Override
  public float int8Dot(float[] weight, byte[] codes, int codesOffset, int len) {
    if (LANES < 8) {
      return VectorKernel.super.int8Dot(weight, codes, codesOffset, len);
    }
    FloatVector acc0 = FloatVector.zero(SPECIES);
    FloatVector acc1 = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i <= len - 2 * LANES; i += 2 * LANES) {
      acc0 = multiplyAdd(lane(weight, i), codes(codes, codesOffset + i), acc0);
      acc1 = multiplyAdd(lane(weight, i + LANES), codes(codes, codesOffset + i + LANES), acc1);
    }
    for (; i <= len - LANES; i += LANES) {
      acc0 = multiplyAdd(lane(weight, i), codes(codes, codesOffset + i), acc0);
    }
    float sum = sum(acc0.add(acc1));
    for (; i < len; i++) {
      sum += weight[i] * codes[codesOffset + i];
    }
    return sum;
  }

  /*
   * The bulk int8 kernels below score two rows per pass, so each load of the query is shared, and
   * they are deliberately larger than C2's FreqInlineSize: compiled on their own, never inlined
   * into a big caller such as the graph search, where C2 ran out of its node budget
   * (NodeCountInliningCutoff) before inlining multiplyAdd and sum, boxed their vectors and ran the
   * scoring several times slower (seen with the search compiled for two scorers).
   */

  @Override
  public void int8SquareDistances(
      float[] residual, float[] step, byte[] codes, int count, int len, float[] out) {
    if (LANES < 8) {
      VectorKernel.super.int8SquareDistances(residual, step, codes, count, len, out);
      return;
    }
    int v = 0;
    for (; v + 1 < count; v += 2) {
      int o0 = v * len;
      int o1 = o0 + len;
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = FloatVector.zero(SPECIES);
      int i = 0;
      for (; i <= len - LANES; i += LANES) {
        FloatVector r = lane(residual, i);
        FloatVector s = lane(step, i);
        FloatVector d0 = r.sub(s.mul(codes(codes, o0 + i)));
        FloatVector d1 = r.sub(s.mul(codes(codes, o1 + i)));
        a0 = multiplyAdd(d0, d0, a0);
        a1 = multiplyAdd(d1, d1, a1);
      }
      float s0 = sum(a0);
      float s1 = sum(a1);
      for (; i < len; i++) {
        float d0 = residual[i] - step[i] * codes[o0 + i];
        float d1 = residual[i] - step[i] * codes[o1 + i];
        s0 += d0 * d0;
        s1 += d1 * d1;
      }
      out[v] = s0;
      out[v + 1] = s1;
    }
    for (; v < count; v++) {
      out[v] = int8SquareDistance(residual, step, codes, v * len, len);
    }
  }

  @Override
  public void productTable(
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
    int c = 0;
    // LANES centroids at a time, summed over the dimensions in a register: the scalar loop's
    // operations in its order (mul, then add: no fma), so the floats are the same
    if (width == 4) { // the default sub-space width: the query's values broadcast once
      FloatVector q0 = FloatVector.broadcast(SPECIES, query[queryOffset] * scale);
      FloatVector q1 = FloatVector.broadcast(SPECIES, query[queryOffset + 1] * scale);
      FloatVector q2 = FloatVector.broadcast(SPECIES, query[queryOffset + 2] * scale);
      FloatVector q3 = FloatVector.broadcast(SPECIES, query[queryOffset + 3] * scale);
      FloatVector zero = FloatVector.zero(SPECIES);
      for (; c <= centroids - LANES; c += LANES) {
        int t = transposedOffset + c;
        FloatVector t0 = lane(transposed, t);
        FloatVector t1 = lane(transposed, t + centroids);
        FloatVector t2 = lane(transposed, t + 2 * centroids);
        FloatVector t3 = lane(transposed, t + 3 * centroids);
        FloatVector acc;
        if (squared) {
          FloatVector d0 = q0.sub(t0);
          FloatVector d1 = q1.sub(t1);
          FloatVector d2 = q2.sub(t2);
          FloatVector d3 = q3.sub(t3);
          acc = zero.add(d0.mul(d0)).add(d1.mul(d1)).add(d2.mul(d2)).add(d3.mul(d3));
        } else {
          acc = zero.sub(t0.mul(q0)).sub(t1.mul(q1)).sub(t2.mul(q2)).sub(t3.mul(q3));
        }
        acc.intoArray(out, outOffset + c);
      }
    }
    for (; c <= centroids - LANES; c += LANES) {
      FloatVector acc = FloatVector.zero(SPECIES);
      for (int i = 0; i < width; i++) {
        float q = query[queryOffset + i] * scale;
        FloatVector t = lane(transposed, transposedOffset + i * centroids + c);
        if (squared) {
          FloatVector diff = FloatVector.broadcast(SPECIES, q).sub(t);
          acc = acc.add(diff.mul(diff));
        } else {
          acc = acc.sub(t.mul(q));
        }
      }
      acc.intoArray(out, outOffset + c);
    }
    for (; c < centroids; c++) {
      float sum = 0f;
      for (int i = 0; i < width; i++) {
        float q = query[queryOffset + i] * scale;
        float t = transposed[transposedOffset + i * centroids + c];
        if (squared) {
          float diff = q - t;
          sum += diff * diff;
        } else {
          sum -= q * t;
        }
      }
      out[outOffset + c] = sum;
    }
  }

  @Override
  public void int8Dots(float[] weight, byte[] codes, int count, int len, float[] out) {
    if (LANES < 8) {
      VectorKernel.super.int8Dots(weight, codes, count, len, out);
      return;
    }
    int v = 0;
    for (; v + 1 < count; v += 2) {
      int o0 = v * len;
      int o1 = o0 + len;
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = FloatVector.zero(SPECIES);
      FloatVector b0 = FloatVector.zero(SPECIES);
      FloatVector b1 = FloatVector.zero(SPECIES);
      int i = 0;
      for (; i <= len - 2 * LANES; i += 2 * LANES) {
        FloatVector w0 = lane(weight, i);
        FloatVector w1 = lane(weight, i + LANES);
        a0 = multiplyAdd(w0, codes(codes, o0 + i), a0);
        b0 = multiplyAdd(w1, codes(codes, o0 + i + LANES), b0);
        a1 = multiplyAdd(w0, codes(codes, o1 + i), a1);
        b1 = multiplyAdd(w1, codes(codes, o1 + i + LANES), b1);
      }
      for (; i <= len - LANES; i += LANES) {
        FloatVector w0 = lane(weight, i);
        a0 = multiplyAdd(w0, codes(codes, o0 + i), a0);
        a1 = multiplyAdd(w0, codes(codes, o1 + i), a1);
      }
      float s0 = sum(a0.add(b0));
      float s1 = sum(a1.add(b1));
      for (; i < len; i++) {
        s0 += weight[i] * codes[o0 + i];
        s1 += weight[i] * codes[o1 + i];
      }
      out[v] = s0;
      out[v + 1] = s1;
    }
    for (; v < count; v++) {
      out[v] = int8Dot(weight, codes, v * len, len);
    }
  }

  /** Two panels from {@code pp} by four vectors from {@code xo}. */
  private static void panelsByFour(
      float[] packed, int pp, int len, float[] x, int xo, float[] out, int oo, int stride) {
    int p1 = pp + len * LANES;
    int x0 = xo, x1 = xo + len, x2 = x1 + len, x3 = x2 + len;
    FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
    FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
    for (int j = 0; j < len; j++) {
      FloatVector q0 = lane(packed, pp + j * LANES);
      FloatVector q1 = lane(packed, p1 + j * LANES);
      FloatVector c = FloatVector.broadcast(SPECIES, x[x0 + j]);
      a00 = multiplyAdd(q0, c, a00);
      a10 = multiplyAdd(q1, c, a10);
      c = FloatVector.broadcast(SPECIES, x[x1 + j]);
      a01 = multiplyAdd(q0, c, a01);
      a11 = multiplyAdd(q1, c, a11);
      c = FloatVector.broadcast(SPECIES, x[x2 + j]);
      a02 = multiplyAdd(q0, c, a02);
      a12 = multiplyAdd(q1, c, a12);
      c = FloatVector.broadcast(SPECIES, x[x3 + j]);
      a03 = multiplyAdd(q0, c, a03);
      a13 = multiplyAdd(q1, c, a13);
    }
    a00.intoArray(out, oo);
    a10.intoArray(out, oo + LANES);
    a01.intoArray(out, oo + stride);
    a11.intoArray(out, oo + stride + LANES);
    a02.intoArray(out, oo + 2 * stride);
    a12.intoArray(out, oo + 2 * stride + LANES);
    a03.intoArray(out, oo + 3 * stride);
    a13.intoArray(out, oo + 3 * stride + LANES);
  }

  /** One panel from {@code pp} by one vector from {@code xo}. */
  private static void panelByOne(
      float[] packed, int pp, int len, float[] x, int xo, float[] out, int oo) {
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0;
    int j = 0;
    for (; j + 1 < len; j += 2) {
      a0 = multiplyAdd(lane(packed, pp + j * LANES), FloatVector.broadcast(SPECIES, x[xo + j]), a0);
      a1 =
          multiplyAdd(
              lane(packed, pp + (j + 1) * LANES),
              FloatVector.broadcast(SPECIES, x[xo + j + 1]),
              a1);
    }
    if (j < len) {
      a0 = multiplyAdd(lane(packed, pp + j * LANES), FloatVector.broadcast(SPECIES, x[xo + j]), a0);
    }
    a0.add(a1).intoArray(out, oo);
  }

  // The bulk kernels score two vectors per pass, sharing each load of the query. Per vector
  // they add in exactly the order of the single-pair kernels, so results are identical.

  @Override
  public void squareDistances(
      float[] q,
      int qOffset,
      float[] x,
      int xOffset,
      int count,
      int len,
      float[] out,
      int outOffset) {
    bulk(true, q, qOffset, x, xOffset, count, len, out, outOffset);
  }

  @Override
  public void dots(
      float[] q,
      int qOffset,
      float[] x,
      int xOffset,
      int count,
      int len,
      float[] out,
      int outOffset) {
    bulk(false, q, qOffset, x, xOffset, count, len, out, outOffset);
  }

  private void bulk(
      boolean square,
      float[] q,
      int qOffset,
      float[] x,
      int xOffset,
      int count,
      int len,
      float[] out,
      int outOffset) {
    int v = 0;
    if (len >= 2 * LANES) {
      for (; v + 1 < count; v += 2) {
        if (square) {
          squareDistance2(q, qOffset, x, xOffset + v * len, len, out, outOffset + v);
        } else {
          dot2(q, qOffset, x, xOffset + v * len, len, out, outOffset + v);
        }
      }
    }
    for (; v < count; v++) {
      out[outOffset + v] =
          square
              ? squareDistance(q, qOffset, x, xOffset + v * len, len)
              : dot(q, qOffset, x, xOffset + v * len, len);
    }
  }

  private static void dot2(float[] q, int qo, float[] x, int xo, int len, float[] out, int oo) {
    int o0 = xo, o1 = xo + len;
    FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
    FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
    int i = 0;
    for (; i <= len - 4 * LANES; i += 4 * LANES) {
      FloatVector q0 = lane(q, qo + i);
      FloatVector q1 = lane(q, qo + i + LANES);
      FloatVector q2 = lane(q, qo + i + 2 * LANES);
      FloatVector q3 = lane(q, qo + i + 3 * LANES);
      a00 = multiplyAdd(q0, lane(x, o0 + i), a00);
      a01 = multiplyAdd(q1, lane(x, o0 + i + LANES), a01);
      a02 = multiplyAdd(q2, lane(x, o0 + i + 2 * LANES), a02);
      a03 = multiplyAdd(q3, lane(x, o0 + i + 3 * LANES), a03);
      a10 = multiplyAdd(q0, lane(x, o1 + i), a10);
      a11 = multiplyAdd(q1, lane(x, o1 + i + LANES), a11);
      a12 = multiplyAdd(q2, lane(x, o1 + i + 2 * LANES), a12);
      a13 = multiplyAdd(q3, lane(x, o1 + i + 3 * LANES), a13);
    }
    for (; i <= len - LANES; i += LANES) {
      FloatVector q0 = lane(q, qo + i);
      a00 = multiplyAdd(q0, lane(x, o0 + i), a00);
      a10 = multiplyAdd(q0, lane(x, o1 + i), a10);
    }
    float s0 = sum(a00.add(a01).add(a02.add(a03)));
    float s1 = sum(a10.add(a11).add(a12.add(a13)));
    for (; i < len; i++) {
      float qi = q[qo + i];
      s0 += qi * x[o0 + i];
      s1 += qi * x[o1 + i];
    }
    out[oo] = s0;
    out[oo + 1] = s1;
  }

  private static void squareDistance2(
      float[] q, int qo, float[] x, int xo, int len, float[] out, int oo) {
    int o0 = xo, o1 = xo + len;
    FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
    FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
    int i = 0;
    for (; i <= len - 4 * LANES; i += 4 * LANES) {
      FloatVector q0 = lane(q, qo + i);
      FloatVector q1 = lane(q, qo + i + LANES);
      FloatVector q2 = lane(q, qo + i + 2 * LANES);
      FloatVector q3 = lane(q, qo + i + 3 * LANES);
      FloatVector d;
      d = q0.sub(lane(x, o0 + i));
      a00 = multiplyAdd(d, d, a00);
      d = q1.sub(lane(x, o0 + i + LANES));
      a01 = multiplyAdd(d, d, a01);
      d = q2.sub(lane(x, o0 + i + 2 * LANES));
      a02 = multiplyAdd(d, d, a02);
      d = q3.sub(lane(x, o0 + i + 3 * LANES));
      a03 = multiplyAdd(d, d, a03);
      d = q0.sub(lane(x, o1 + i));
      a10 = multiplyAdd(d, d, a10);
      d = q1.sub(lane(x, o1 + i + LANES));
      a11 = multiplyAdd(d, d, a11);
      d = q2.sub(lane(x, o1 + i + 2 * LANES));
      a12 = multiplyAdd(d, d, a12);
      d = q3.sub(lane(x, o1 + i + 3 * LANES));
      a13 = multiplyAdd(d, d, a13);
    }
    for (; i <= len - LANES; i += LANES) {
      FloatVector q0 = lane(q, qo + i);
      FloatVector d;
      d = q0.sub(lane(x, o0 + i));
      a00 = multiplyAdd(d, d, a00);
      d = q0.sub(lane(x, o1 + i));
      a10 = multiplyAdd(d, d, a10);
    }
    float s0 = sum(a00.add(a01).add(a02.add(a03)));
    float s1 = sum(a10.add(a11).add(a12.add(a13)));
    for (; i < len; i++) {
      float qi = q[qo + i];
      float d0 = qi - x[o0 + i];
      float d1 = qi - x[o1 + i];
      s0 += d0 * d0;
      s1 += d1 * d1;
    }
    out[oo] = s0;
    out[oo + 1] = s1;
  }

  /** Lanes of {@link #sums4}'s result that hold the sums of its first to fourth vector. */
  static final int SUM0 = 0, SUM1 = LANES / 2, SUM2 = LANES / 4, SUM3 = 3 * LANES / 4;

  /** Lanes i with bit LANES / 2, and with bit LANES / 4, set (vectors are at least 4 lanes). */
  private static final VectorMask<Float> UPPER_HALF = lanesWithBit(LANES / 2);

  private static final VectorMask<Float> UPPER_QUARTERS = lanesWithBit(LANES / 4);

  private static VectorMask<Float> lanesWithBit(int bit) {
    boolean[] set = new boolean[LANES];
    for (int i = 0; i < LANES; i++) {
      set[i] = (i & bit) != 0;
    }
    return VectorMask.fromArray(SPECIES, set, 0);
  }

  /**
   * {@link #sum} of four vectors at once, the same floats, in lanes {@link #SUM0} to {@link #SUM3}
   * of the result: the first two butterfly steps each add two vectors' halves in one operation
   * (lane i of each sum meets lane i ^ d in the same order as in sum), the rest run on all four. A
   * walk ends every group of four vectors with their sums; one at a time they were 13% of a JDK 17
   * MiniLM build's profile (the shuffle-add chains, then the lanes' extraction).
   */
  static FloatVector sums4(FloatVector p0, FloatVector p1, FloatVector p2, FloatVector p3) {
    // lanes below LANES / 2 carry p0's first step, the others p1's; likewise p2 and p3
    FloatVector u01 =
        p0.blend(p1, UPPER_HALF).add(p1.blend(p0, UPPER_HALF).rearrange(BUTTERFLY[0]));
    FloatVector u23 =
        p2.blend(p3, UPPER_HALF).add(p3.blend(p2, UPPER_HALF).rearrange(BUTTERFLY[0]));
    // quarters: p0, p2, p1, p3
    FloatVector v =
        u01.blend(u23, UPPER_QUARTERS).add(u23.blend(u01, UPPER_QUARTERS).rearrange(BUTTERFLY[1]));
    for (int j = 2; j < BUTTERFLY.length; j++) {
      v = v.add(v.rearrange(BUTTERFLY[j]));
    }
    return v;
  }

  /** Butterfly shuffles: step j swaps lanes i and i ^ (LANES >> (j + 1)). */
  private static final VectorShuffle<Float>[] BUTTERFLY = butterfly();

  @SuppressWarnings("unchecked")
  private static VectorShuffle<Float>[] butterfly() {
    int steps = Integer.numberOfTrailingZeros(LANES);
    VectorShuffle<Float>[] shuffles = new VectorShuffle[steps];
    for (int j = 0; j < steps; j++) {
      int distance = LANES >> (j + 1);
      shuffles[j] = VectorShuffle.fromOp(SPECIES, i -> i ^ distance);
    }
    return shuffles;
  }

  /**
   * Adds the lanes in one fixed (butterfly) order. {@code reduceLanes(ADD)} may add in another
   * order once C2 compiles it than before, so one pair could score differently over time.
   */
  static float sum(FloatVector v) {
    for (VectorShuffle<Float> shuffle : BUTTERFLY) {
      v = v.add(v.rearrange(shuffle));
    }
    return v.lane(0);
  }

  private static FloatVector lane(float[] array, int offset) {
    return FloatVector.fromArray(SPECIES, array, offset);
  }
}
