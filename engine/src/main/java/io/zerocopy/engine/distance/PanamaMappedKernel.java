package io.zerocopy.engine.distance;

import static io.zerocopy.engine.distance.PanamaKernel.CODE_SPECIES;
import static io.zerocopy.engine.distance.PanamaKernel.LANES;
import static io.zerocopy.engine.distance.PanamaKernel.SPECIES;
import static io.zerocopy.engine.distance.PanamaKernel.SUM0;
import static io.zerocopy.engine.distance.PanamaKernel.SUM1;
import static io.zerocopy.engine.distance.PanamaKernel.SUM2;
import static io.zerocopy.engine.distance.PanamaKernel.SUM3;
import static io.zerocopy.engine.distance.PanamaKernel.multiplyAdd;
import static io.zerocopy.engine.distance.PanamaKernel.sum;
import static io.zerocopy.engine.distance.PanamaKernel.sums4;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link PanamaKernel}'s loops with the second vector loaded from a mapped buffer (JDK 17–19's
 * {@code FloatVector.fromByteBuffer}); loaded by name only on those JDKs. Each loop adds in exactly
 * the order of its array twin, so both give the same float for the same data.
 */
final class PanamaMappedKernel implements MappedKernel {

  private static final int LANE_BYTES = LANES * Float.BYTES;

  PanamaMappedKernel() {}

  @Override
  public float dot(float[] a, int aOffset, ByteBuffer b, Object segment, int bByteOffset, int len) {
    int i = 0;
    float sum = 0;
    if (len >= 2 * LANES) {
      FloatVector acc0 = FloatVector.zero(SPECIES);
      FloatVector acc1 = FloatVector.zero(SPECIES);
      FloatVector acc2 = FloatVector.zero(SPECIES);
      FloatVector acc3 = FloatVector.zero(SPECIES);
      int at = bByteOffset;
      for (; i <= len - 4 * LANES; i += 4 * LANES, at += 4 * LANE_BYTES) {
        acc0 = multiplyAdd(lane(a, aOffset + i), lane(b, segment, at), acc0);
        acc1 = multiplyAdd(lane(a, aOffset + i + LANES), lane(b, segment, at + LANE_BYTES), acc1);
        acc2 =
            multiplyAdd(
                lane(a, aOffset + i + 2 * LANES), lane(b, segment, at + 2 * LANE_BYTES), acc2);
        acc3 =
            multiplyAdd(
                lane(a, aOffset + i + 3 * LANES), lane(b, segment, at + 3 * LANE_BYTES), acc3);
      }
      for (; i <= len - LANES; i += LANES, at += LANE_BYTES) {
        acc0 = multiplyAdd(lane(a, aOffset + i), lane(b, segment, at), acc0);
      }
      sum = sum(acc0.add(acc1).add(acc2.add(acc3)));
    }
    for (; i < len; i++) {
      sum += a[aOffset + i] * b.getFloat(bByteOffset + i * Float.BYTES);
    }
    return sum;
  }

  @Override
  public float squaredNorm(ByteBuffer b, Object segment, int byteOffset, int len) {
    int i = 0;
    float sum = 0;
    if (len >= 2 * LANES) {
      FloatVector acc0 = FloatVector.zero(SPECIES);
      FloatVector acc1 = FloatVector.zero(SPECIES);
      FloatVector acc2 = FloatVector.zero(SPECIES);
      FloatVector acc3 = FloatVector.zero(SPECIES);
      int at = byteOffset;
      for (; i <= len - 4 * LANES; i += 4 * LANES, at += 4 * LANE_BYTES) {
        FloatVector y0 = lane(b, segment, at);
        FloatVector y1 = lane(b, segment, at + LANE_BYTES);
        FloatVector y2 = lane(b, segment, at + 2 * LANE_BYTES);
        FloatVector y3 = lane(b, segment, at + 3 * LANE_BYTES);
        acc0 = multiplyAdd(y0, y0, acc0);
        acc1 = multiplyAdd(y1, y1, acc1);
        acc2 = multiplyAdd(y2, y2, acc2);
        acc3 = multiplyAdd(y3, y3, acc3);
      }
      for (; i <= len - LANES; i += LANES, at += LANE_BYTES) {
        FloatVector y = lane(b, segment, at);
        acc0 = multiplyAdd(y, y, acc0);
      }
      sum = sum(acc0.add(acc1).add(acc2.add(acc3)));
    }
    for (; i < len; i++) {
      float y = b.getFloat(byteOffset + i * Float.BYTES);
      sum += y * y;
    }
    return sum;
  }

  @Override
  public float squareDistance(
      float[] a, int aOffset, ByteBuffer b, Object segment, int bByteOffset, int len) {
    int i = 0;
    float sum = 0;
    if (len >= 2 * LANES) {
      FloatVector acc0 = FloatVector.zero(SPECIES);
      FloatVector acc1 = FloatVector.zero(SPECIES);
      FloatVector acc2 = FloatVector.zero(SPECIES);
      FloatVector acc3 = FloatVector.zero(SPECIES);
      int at = bByteOffset;
      for (; i <= len - 4 * LANES; i += 4 * LANES, at += 4 * LANE_BYTES) {
        FloatVector d0 = lane(a, aOffset + i).sub(lane(b, segment, at));
        FloatVector d1 = lane(a, aOffset + i + LANES).sub(lane(b, segment, at + LANE_BYTES));
        FloatVector d2 =
            lane(a, aOffset + i + 2 * LANES).sub(lane(b, segment, at + 2 * LANE_BYTES));
        FloatVector d3 =
            lane(a, aOffset + i + 3 * LANES).sub(lane(b, segment, at + 3 * LANE_BYTES));
        acc0 = multiplyAdd(d0, d0, acc0);
        acc1 = multiplyAdd(d1, d1, acc1);
        acc2 = multiplyAdd(d2, d2, acc2);
        acc3 = multiplyAdd(d3, d3, acc3);
      }
      for (; i <= len - LANES; i += LANES, at += LANE_BYTES) {
        FloatVector d = lane(a, aOffset + i).sub(lane(b, segment, at));
        acc0 = multiplyAdd(d, d, acc0);
      }
      sum = sum(acc0.add(acc1).add(acc2.add(acc3)));
    }
    for (; i < len; i++) {
      float d = a[aOffset + i] - b.getFloat(bByteOffset + i * Float.BYTES);
      sum += d * d;
    }
    return sum;
  }

  @Override
  public float cosineDistance(
      float[] a,
      int aOffset,
      float aSquaredNorm,
      ByteBuffer b,
      Object segment,
      int bByteOffset,
      int len) {
    int i = 0;
    float dot = 0, norm = 0;
    if (len >= 2 * LANES) {
      // dot's and squaredNorm's loops side by side: each sum in its own order, as alone
      FloatVector d0 = FloatVector.zero(SPECIES), d1 = d0, d2 = d0, d3 = d0;
      FloatVector n0 = d0, n1 = d0, n2 = d0, n3 = d0;
      int at = bByteOffset;
      for (; i <= len - 4 * LANES; i += 4 * LANES, at += 4 * LANE_BYTES) {
        FloatVector y0 = lane(b, segment, at);
        FloatVector y1 = lane(b, segment, at + LANE_BYTES);
        FloatVector y2 = lane(b, segment, at + 2 * LANE_BYTES);
        FloatVector y3 = lane(b, segment, at + 3 * LANE_BYTES);
        d0 = multiplyAdd(lane(a, aOffset + i), y0, d0);
        d1 = multiplyAdd(lane(a, aOffset + i + LANES), y1, d1);
        d2 = multiplyAdd(lane(a, aOffset + i + 2 * LANES), y2, d2);
        d3 = multiplyAdd(lane(a, aOffset + i + 3 * LANES), y3, d3);
        n0 = multiplyAdd(y0, y0, n0);
        n1 = multiplyAdd(y1, y1, n1);
        n2 = multiplyAdd(y2, y2, n2);
        n3 = multiplyAdd(y3, y3, n3);
      }
      for (; i <= len - LANES; i += LANES, at += LANE_BYTES) {
        FloatVector y = lane(b, segment, at);
        d0 = multiplyAdd(lane(a, aOffset + i), y, d0);
        n0 = multiplyAdd(y, y, n0);
      }
      dot = sum(d0.add(d1).add(d2.add(d3)));
      norm = sum(n0.add(n1).add(n2.add(n3)));
    }
    for (; i < len; i++) {
      float y = b.getFloat(bByteOffset + i * Float.BYTES);
      dot += a[aOffset + i] * y;
      norm += y * y;
    }
    return Cosine.fromParts(dot, aSquaredNorm, norm);
  }

  @Override
  public float cosineDistanceToUnit(
      float[] u, int uOffset, ByteBuffer b, Object segment, int bByteOffset, int len) {
    // the same two sums as cosineDistance, with the query's squared norm taken as 1
    return cosineDistance(u, uOffset, 1f, b, segment, bByteOffset, len);
  }

  @Override
  public void walkScores(
      WalkScore score,
      float[] a,
      int len,
      ByteBuffer b0,
      Object v0,
      int at0,
      ByteBuffer b1,
      Object v1,
      int at1,
      ByteBuffer b2,
      Object v2,
      int at2,
      ByteBuffer b3,
      Object v3,
      int at3,
      float[] out,
      int outOffset) {
    switch (score) {
      case SQUARE_DISTANCE ->
          squareDistances4(
              a, len, b0, v0, at0, b1, v1, at1, b2, v2, at2, b3, v3, at3, out, outOffset);
      case NEGATED_DOT ->
          negatedDots4(a, len, b0, v0, at0, b1, v1, at1, b2, v2, at2, b3, v3, at3, out, outOffset);
      case COSINE_TO_UNIT ->
          cosinesToUnit4(
              a, len, b0, v0, at0, b1, v1, at1, b2, v2, at2, b3, v3, at3, out, outOffset);
    }
  }

  @Override
  public boolean scoresEight() {
    return EIGHT;
  }

  /** 512-bit vectors: 32 registers hold the eight vectors' sums (16 for a cosine) and loads. */
  private static final boolean EIGHT = LANES == 16;

  @Override
  public void walkScores8(
      WalkScore score,
      float[] a,
      int len,
      ByteBuffer b,
      Object v,
      int at0,
      int at1,
      int at2,
      int at3,
      int at4,
      int at5,
      int at6,
      int at7,
      float[] lanes,
      float[] out,
      int outOffset) {
    switch (score) {
      case SQUARE_DISTANCE ->
          squareDistances8(
              a, len, b, v, at0, at1, at2, at3, at4, at5, at6, at7, lanes, out, outOffset);
      case NEGATED_DOT ->
          negatedDots8(a, len, b, v, at0, at1, at2, at3, at4, at5, at6, at7, lanes, out, outOffset);
      case COSINE_TO_UNIT ->
          cosinesToUnit8(
              a, len, b, v, at0, at1, at2, at3, at4, at5, at6, at7, lanes, out, outOffset);
    }
  }

  // Eight at once: per vector, walkScore's operations in its order, as the four-at-once kernels;
  // the sums stored and added as scalars in the butterfly's order (sums4 there: with it C2 stops
  // inlining at its node limit, and the vectors it is passed are boxed).

  /**
   * {@code sum()} of the 16 lanes stored at {@code s[o..o+16)}: the same adds in the same order.
   */
  static float sum16(float[] s, int o) {
    float a0 = s[o] + s[o + 8], a1 = s[o + 1] + s[o + 9];
    float a2 = s[o + 2] + s[o + 10], a3 = s[o + 3] + s[o + 11];
    float a4 = s[o + 4] + s[o + 12], a5 = s[o + 5] + s[o + 13];
    float a6 = s[o + 6] + s[o + 14], a7 = s[o + 7] + s[o + 15];
    float b0 = a0 + a4, b1 = a1 + a5, b2 = a2 + a6, b3 = a3 + a7;
    return (b0 + b2) + (b1 + b3);
  }

  private static void squareDistances8(
      float[] a,
      int len,
      ByteBuffer b,
      Object v,
      int at0,
      int at1,
      int at2,
      int at3,
      int at4,
      int at5,
      int at6,
      int at7,
      float[] lanes,
      float[] out,
      int o) {
    FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
    FloatVector s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    int i = 0;
    for (int at = 0; i <= len - LANES; i += LANES, at += LANE_BYTES) {
      FloatVector x = lane(a, i);
      FloatVector d0 = x.sub(lane(b, v, at0 + at));
      FloatVector d1 = x.sub(lane(b, v, at1 + at));
      FloatVector d2 = x.sub(lane(b, v, at2 + at));
      FloatVector d3 = x.sub(lane(b, v, at3 + at));
      FloatVector d4 = x.sub(lane(b, v, at4 + at));
      FloatVector d5 = x.sub(lane(b, v, at5 + at));
      FloatVector d6 = x.sub(lane(b, v, at6 + at));
      FloatVector d7 = x.sub(lane(b, v, at7 + at));
      s0 = multiplyAdd(d0, d0, s0);
      s1 = multiplyAdd(d1, d1, s1);
      s2 = multiplyAdd(d2, d2, s2);
      s3 = multiplyAdd(d3, d3, s3);
      s4 = multiplyAdd(d4, d4, s4);
      s5 = multiplyAdd(d5, d5, s5);
      s6 = multiplyAdd(d6, d6, s6);
      s7 = multiplyAdd(d7, d7, s7);
    }
    s0.intoArray(lanes, 0);
    s1.intoArray(lanes, 16);
    s2.intoArray(lanes, 32);
    s3.intoArray(lanes, 48);
    s4.intoArray(lanes, 64);
    s5.intoArray(lanes, 80);
    s6.intoArray(lanes, 96);
    s7.intoArray(lanes, 112);
    out[o] = squareDistanceTail(a, i, len, sum16(lanes, 0), b, at0);
    out[o + 1] = squareDistanceTail(a, i, len, sum16(lanes, 16), b, at1);
    out[o + 2] = squareDistanceTail(a, i, len, sum16(lanes, 32), b, at2);
    out[o + 3] = squareDistanceTail(a, i, len, sum16(lanes, 48), b, at3);
    out[o + 4] = squareDistanceTail(a, i, len, sum16(lanes, 64), b, at4);
    out[o + 5] = squareDistanceTail(a, i, len, sum16(lanes, 80), b, at5);
    out[o + 6] = squareDistanceTail(a, i, len, sum16(lanes, 96), b, at6);
    out[o + 7] = squareDistanceTail(a, i, len, sum16(lanes, 112), b, at7);
  }

  private static void negatedDots8(
      float[] a,
      int len,
      ByteBuffer b,
      Object v,
      int at0,
      int at1,
      int at2,
      int at3,
      int at4,
      int at5,
      int at6,
      int at7,
      float[] lanes,
      float[] out,
      int o) {
    FloatVector p0 = FloatVector.zero(SPECIES), p1 = p0, p2 = p0, p3 = p0;
    FloatVector p4 = p0, p5 = p0, p6 = p0, p7 = p0;
    int i = 0;
    for (int at = 0; i <= len - LANES; i += LANES, at += LANE_BYTES) {
      FloatVector x = lane(a, i);
      p0 = multiplyAdd(x, lane(b, v, at0 + at), p0);
      p1 = multiplyAdd(x, lane(b, v, at1 + at), p1);
      p2 = multiplyAdd(x, lane(b, v, at2 + at), p2);
      p3 = multiplyAdd(x, lane(b, v, at3 + at), p3);
      p4 = multiplyAdd(x, lane(b, v, at4 + at), p4);
      p5 = multiplyAdd(x, lane(b, v, at5 + at), p5);
      p6 = multiplyAdd(x, lane(b, v, at6 + at), p6);
      p7 = multiplyAdd(x, lane(b, v, at7 + at), p7);
    }
    p0.intoArray(lanes, 0);
    p1.intoArray(lanes, 16);
    p2.intoArray(lanes, 32);
    p3.intoArray(lanes, 48);
    p4.intoArray(lanes, 64);
    p5.intoArray(lanes, 80);
    p6.intoArray(lanes, 96);
    p7.intoArray(lanes, 112);
    out[o] = -dotTail(a, i, len, sum16(lanes, 0), b, at0);
    out[o + 1] = -dotTail(a, i, len, sum16(lanes, 16), b, at1);
    out[o + 2] = -dotTail(a, i, len, sum16(lanes, 32), b, at2);
    out[o + 3] = -dotTail(a, i, len, sum16(lanes, 48), b, at3);
    out[o + 4] = -dotTail(a, i, len, sum16(lanes, 64), b, at4);
    out[o + 5] = -dotTail(a, i, len, sum16(lanes, 80), b, at5);
    out[o + 6] = -dotTail(a, i, len, sum16(lanes, 96), b, at6);
    out[o + 7] = -dotTail(a, i, len, sum16(lanes, 112), b, at7);
  }

  private static void cosinesToUnit8(
      float[] a,
      int len,
      ByteBuffer b,
      Object v,
      int at0,
      int at1,
      int at2,
      int at3,
      int at4,
      int at5,
      int at6,
      int at7,
      float[] lanes,
      float[] out,
      int o) {
    FloatVector p0 = FloatVector.zero(SPECIES), p1 = p0, p2 = p0, p3 = p0;
    FloatVector p4 = p0, p5 = p0, p6 = p0, p7 = p0;
    FloatVector n0 = p0, n1 = p0, n2 = p0, n3 = p0, n4 = p0, n5 = p0, n6 = p0, n7 = p0;
    int i = 0;
    for (int at = 0; i <= len - LANES; i += LANES, at += LANE_BYTES) {
      FloatVector x = lane(a, i);
      FloatVector y0 = lane(b, v, at0 + at);
      FloatVector y1 = lane(b, v, at1 + at);
      FloatVector y2 = lane(b, v, at2 + at);
      FloatVector y3 = lane(b, v, at3 + at);
      FloatVector y4 = lane(b, v, at4 + at);
      FloatVector y5 = lane(b, v, at5 + at);
      FloatVector y6 = lane(b, v, at6 + at);
      FloatVector y7 = lane(b, v, at7 + at);
      p0 = multiplyAdd(x, y0, p0);
      n0 = multiplyAdd(y0, y0, n0);
      p1 = multiplyAdd(x, y1, p1);
      n1 = multiplyAdd(y1, y1, n1);
      p2 = multiplyAdd(x, y2, p2);
      n2 = multiplyAdd(y2, y2, n2);
      p3 = multiplyAdd(x, y3, p3);
      n3 = multiplyAdd(y3, y3, n3);
      p4 = multiplyAdd(x, y4, p4);
      n4 = multiplyAdd(y4, y4, n4);
      p5 = multiplyAdd(x, y5, p5);
      n5 = multiplyAdd(y5, y5, n5);
      p6 = multiplyAdd(x, y6, p6);
      n6 = multiplyAdd(y6, y6, n6);
      p7 = multiplyAdd(x, y7, p7);
      n7 = multiplyAdd(y7, y7, n7);
    }
    p0.intoArray(lanes, 0);
    p1.intoArray(lanes, 16);
    p2.intoArray(lanes, 32);
    p3.intoArray(lanes, 48);
    p4.intoArray(lanes, 64);
    p5.intoArray(lanes, 80);
    p6.intoArray(lanes, 96);
    p7.intoArray(lanes, 112);
    n0.intoArray(lanes, 128);
    n1.intoArray(lanes, 144);
    n2.intoArray(lanes, 160);
    n3.intoArray(lanes, 176);
    n4.intoArray(lanes, 192);
    n5.intoArray(lanes, 208);
    n6.intoArray(lanes, 224);
    n7.intoArray(lanes, 240);
    out[o] = cosineToUnitTail(a, i, len, sum16(lanes, 0), sum16(lanes, 128), b, at0);
    out[o + 1] = cosineToUnitTail(a, i, len, sum16(lanes, 16), sum16(lanes, 144), b, at1);
    out[o + 2] = cosineToUnitTail(a, i, len, sum16(lanes, 32), sum16(lanes, 160), b, at2);
    out[o + 3] = cosineToUnitTail(a, i, len, sum16(lanes, 48), sum16(lanes, 176), b, at3);
    out[o + 4] = cosineToUnitTail(a, i, len, sum16(lanes, 64), sum16(lanes, 192), b, at4);
    out[o + 5] = cosineToUnitTail(a, i, len, sum16(lanes, 80), sum16(lanes, 208), b, at5);
    out[o + 6] = cosineToUnitTail(a, i, len, sum16(lanes, 96), sum16(lanes, 224), b, at6);
    out[o + 7] = cosineToUnitTail(a, i, len, sum16(lanes, 112), sum16(lanes, 240), b, at7);
  }

  @Override
  public float walkScore(WalkScore score, float[] a, int len, ByteBuffer b, Object v, int at) {
    FloatVector zero = FloatVector.zero(SPECIES);
    int i = 0;
    switch (score) {
      case SQUARE_DISTANCE -> {
        FloatVector s = zero;
        for (; i <= len - LANES; i += LANES) {
          FloatVector d = lane(a, i).sub(lane(b, v, at + i * Float.BYTES));
          s = multiplyAdd(d, d, s);
        }
        return squareDistanceTail(a, i, len, sum(s), b, at);
      }
      case NEGATED_DOT -> {
        FloatVector p = zero;
        for (; i <= len - LANES; i += LANES) {
          p = multiplyAdd(lane(a, i), lane(b, v, at + i * Float.BYTES), p);
        }
        return -dotTail(a, i, len, sum(p), b, at);
      }
      default -> {
        FloatVector p = zero;
        FloatVector n = zero;
        for (; i <= len - LANES; i += LANES) {
          FloatVector y = lane(b, v, at + i * Float.BYTES);
          p = multiplyAdd(lane(a, i), y, p);
          n = multiplyAdd(y, y, n);
        }
        return cosineToUnitTail(a, i, len, sum(p), sum(n), b, at);
      }
    }
  }

  // The walk's kernels: per vector, exactly walkScore's operations in its order, four vectors
  // interleaved lane by lane (four streams of loads in flight, one chain of sums each).

  private static void squareDistances4(
      float[] a,
      int len,
      ByteBuffer b0,
      Object v0,
      int at0,
      ByteBuffer b1,
      Object v1,
      int at1,
      ByteBuffer b2,
      Object v2,
      int at2,
      ByteBuffer b3,
      Object v3,
      int at3,
      float[] out,
      int o) {
    FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
    int i = 0;
    for (int at = 0; i <= len - LANES; i += LANES, at += LANE_BYTES) {
      FloatVector x = lane(a, i);
      FloatVector d0 = x.sub(lane(b0, v0, at0 + at));
      FloatVector d1 = x.sub(lane(b1, v1, at1 + at));
      FloatVector d2 = x.sub(lane(b2, v2, at2 + at));
      FloatVector d3 = x.sub(lane(b3, v3, at3 + at));
      s0 = multiplyAdd(d0, d0, s0);
      s1 = multiplyAdd(d1, d1, s1);
      s2 = multiplyAdd(d2, d2, s2);
      s3 = multiplyAdd(d3, d3, s3);
    }
    FloatVector s = sums4(s0, s1, s2, s3);
    out[o] = squareDistanceTail(a, i, len, s.lane(SUM0), b0, at0);
    out[o + 1] = squareDistanceTail(a, i, len, s.lane(SUM1), b1, at1);
    out[o + 2] = squareDistanceTail(a, i, len, s.lane(SUM2), b2, at2);
    out[o + 3] = squareDistanceTail(a, i, len, s.lane(SUM3), b3, at3);
  }

  private static void negatedDots4(
      float[] a,
      int len,
      ByteBuffer b0,
      Object v0,
      int at0,
      ByteBuffer b1,
      Object v1,
      int at1,
      ByteBuffer b2,
      Object v2,
      int at2,
      ByteBuffer b3,
      Object v3,
      int at3,
      float[] out,
      int o) {
    FloatVector p0 = FloatVector.zero(SPECIES), p1 = p0, p2 = p0, p3 = p0;
    int i = 0;
    for (int at = 0; i <= len - LANES; i += LANES, at += LANE_BYTES) {
      FloatVector x = lane(a, i);
      p0 = multiplyAdd(x, lane(b0, v0, at0 + at), p0);
      p1 = multiplyAdd(x, lane(b1, v1, at1 + at), p1);
      p2 = multiplyAdd(x, lane(b2, v2, at2 + at), p2);
      p3 = multiplyAdd(x, lane(b3, v3, at3 + at), p3);
    }
    FloatVector p = sums4(p0, p1, p2, p3);
    out[o] = -dotTail(a, i, len, p.lane(SUM0), b0, at0);
    out[o + 1] = -dotTail(a, i, len, p.lane(SUM1), b1, at1);
    out[o + 2] = -dotTail(a, i, len, p.lane(SUM2), b2, at2);
    out[o + 3] = -dotTail(a, i, len, p.lane(SUM3), b3, at3);
  }

  private static void cosinesToUnit4(
      float[] a,
      int len,
      ByteBuffer b0,
      Object v0,
      int at0,
      ByteBuffer b1,
      Object v1,
      int at1,
      ByteBuffer b2,
      Object v2,
      int at2,
      ByteBuffer b3,
      Object v3,
      int at3,
      float[] out,
      int o) {
    FloatVector p0 = FloatVector.zero(SPECIES), p1 = p0, p2 = p0, p3 = p0;
    FloatVector n0 = p0, n1 = p0, n2 = p0, n3 = p0;
    int i = 0;
    for (int at = 0; i <= len - LANES; i += LANES, at += LANE_BYTES) {
      FloatVector x = lane(a, i);
      FloatVector y0 = lane(b0, v0, at0 + at);
      FloatVector y1 = lane(b1, v1, at1 + at);
      FloatVector y2 = lane(b2, v2, at2 + at);
      FloatVector y3 = lane(b3, v3, at3 + at);
      p0 = multiplyAdd(x, y0, p0);
      n0 = multiplyAdd(y0, y0, n0);
      p1 = multiplyAdd(x, y1, p1);
      n1 = multiplyAdd(y1, y1, n1);
      p2 = multiplyAdd(x, y2, p2);
      n2 = multiplyAdd(y2, y2, n2);
      p3 = multiplyAdd(x, y3, p3);
      n3 = multiplyAdd(y3, y3, n3);
    }
    FloatVector p = sums4(p0, p1, p2, p3);
    FloatVector n = sums4(n0, n1, n2, n3);
    out[o] = cosineToUnitTail(a, i, len, p.lane(SUM0), n.lane(SUM0), b0, at0);
    out[o + 1] = cosineToUnitTail(a, i, len, p.lane(SUM1), n.lane(SUM1), b1, at1);
    out[o + 2] = cosineToUnitTail(a, i, len, p.lane(SUM2), n.lane(SUM2), b2, at2);
    out[o + 3] = cosineToUnitTail(a, i, len, p.lane(SUM3), n.lane(SUM3), b3, at3);
  }

  /**
   * JDK 22+ only: there, reading a walk's int8 codes in place beat copying them by 4-12% QPS
   * (interleaved A/B, MiniLM and Fashion-MNIST); on JDK 17 a code load is a 16-byte {@code
   * fromByteBuffer}, four per cache line, each with the buffer's checks, and it lost 7-15%.
   */
  @Override
  public boolean readsInt8Codes() {
    return CODE_SPECIES != null && SEGMENTS;
  }

  // The int8 kernels: PanamaKernel's int8SquareDistance (one chain) and int8Dot (two chains, over
  // pairs of lanes) per row, in their order, so that in place and on a copy score alike.

  @Override
  public float int8SquareDistance(
      float[] residual, float[] step, ByteBuffer b, Object v, int at, int len) {
    FloatVector s = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i <= len - LANES; i += LANES) {
      FloatVector d = lane(residual, i).sub(lane(step, i).mul(codes(b, v, at + i)));
      s = multiplyAdd(d, d, s);
    }
    return int8SquareDistanceTail(residual, step, i, len, sum(s), b, at);
  }

  @Override
  public float int8Dot(float[] weight, ByteBuffer b, Object v, int at, int len) {
    FloatVector p = FloatVector.zero(SPECIES);
    FloatVector q = p;
    int i = 0;
    for (; i <= len - 2 * LANES; i += 2 * LANES) {
      p = multiplyAdd(lane(weight, i), codes(b, v, at + i), p);
      q = multiplyAdd(lane(weight, i + LANES), codes(b, v, at + i + LANES), q);
    }
    for (; i <= len - LANES; i += LANES) {
      p = multiplyAdd(lane(weight, i), codes(b, v, at + i), p);
    }
    return int8DotTail(weight, i, len, sum(p.add(q)), b, at);
  }

  @Override
  public void int8Scores(
      float[] weight,
      float[] step,
      int len,
      ByteBuffer b0,
      Object v0,
      int at0,
      ByteBuffer b1,
      Object v1,
      int at1,
      ByteBuffer b2,
      Object v2,
      int at2,
      ByteBuffer b3,
      Object v3,
      int at3,
      float[] out,
      int o) {
    if (step != null) {
      int8SquareDistances4(
          weight, step, len, b0, v0, at0, b1, v1, at1, b2, v2, at2, b3, v3, at3, out, o);
    } else {
      int8Dots4(weight, len, b0, v0, at0, b1, v1, at1, b2, v2, at2, b3, v3, at3, out, o);
    }
  }

  private static void int8SquareDistances4(
      float[] residual,
      float[] step,
      int len,
      ByteBuffer b0,
      Object v0,
      int at0,
      ByteBuffer b1,
      Object v1,
      int at1,
      ByteBuffer b2,
      Object v2,
      int at2,
      ByteBuffer b3,
      Object v3,
      int at3,
      float[] out,
      int o) {
    FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
    int i = 0;
    for (; i <= len - LANES; i += LANES) {
      FloatVector r = lane(residual, i);
      FloatVector t = lane(step, i);
      FloatVector d0 = r.sub(t.mul(codes(b0, v0, at0 + i)));
      FloatVector d1 = r.sub(t.mul(codes(b1, v1, at1 + i)));
      FloatVector d2 = r.sub(t.mul(codes(b2, v2, at2 + i)));
      FloatVector d3 = r.sub(t.mul(codes(b3, v3, at3 + i)));
      s0 = multiplyAdd(d0, d0, s0);
      s1 = multiplyAdd(d1, d1, s1);
      s2 = multiplyAdd(d2, d2, s2);
      s3 = multiplyAdd(d3, d3, s3);
    }
    FloatVector s = sums4(s0, s1, s2, s3);
    out[o] = int8SquareDistanceTail(residual, step, i, len, s.lane(SUM0), b0, at0);
    out[o + 1] = int8SquareDistanceTail(residual, step, i, len, s.lane(SUM1), b1, at1);
    out[o + 2] = int8SquareDistanceTail(residual, step, i, len, s.lane(SUM2), b2, at2);
    out[o + 3] = int8SquareDistanceTail(residual, step, i, len, s.lane(SUM3), b3, at3);
  }

  private static void int8Dots4(
      float[] weight,
      int len,
      ByteBuffer b0,
      Object v0,
      int at0,
      ByteBuffer b1,
      Object v1,
      int at1,
      ByteBuffer b2,
      Object v2,
      int at2,
      ByteBuffer b3,
      Object v3,
      int at3,
      float[] out,
      int o) {
    FloatVector p0 = FloatVector.zero(SPECIES), p1 = p0, p2 = p0, p3 = p0;
    FloatVector q0 = p0, q1 = p0, q2 = p0, q3 = p0;
    int i = 0;
    for (; i <= len - 2 * LANES; i += 2 * LANES) {
      FloatVector w = lane(weight, i);
      FloatVector x = lane(weight, i + LANES);
      p0 = multiplyAdd(w, codes(b0, v0, at0 + i), p0);
      q0 = multiplyAdd(x, codes(b0, v0, at0 + i + LANES), q0);
      p1 = multiplyAdd(w, codes(b1, v1, at1 + i), p1);
      q1 = multiplyAdd(x, codes(b1, v1, at1 + i + LANES), q1);
      p2 = multiplyAdd(w, codes(b2, v2, at2 + i), p2);
      q2 = multiplyAdd(x, codes(b2, v2, at2 + i + LANES), q2);
      p3 = multiplyAdd(w, codes(b3, v3, at3 + i), p3);
      q3 = multiplyAdd(x, codes(b3, v3, at3 + i + LANES), q3);
    }
    for (; i <= len - LANES; i += LANES) {
      FloatVector w = lane(weight, i);
      p0 = multiplyAdd(w, codes(b0, v0, at0 + i), p0);
      p1 = multiplyAdd(w, codes(b1, v1, at1 + i), p1);
      p2 = multiplyAdd(w, codes(b2, v2, at2 + i), p2);
      p3 = multiplyAdd(w, codes(b3, v3, at3 + i), p3);
    }
    FloatVector p = sums4(p0.add(q0), p1.add(q1), p2.add(q2), p3.add(q3));
    out[o] = int8DotTail(weight, i, len, p.lane(SUM0), b0, at0);
    out[o + 1] = int8DotTail(weight, i, len, p.lane(SUM1), b1, at1);
    out[o + 2] = int8DotTail(weight, i, len, p.lane(SUM2), b2, at2);
    out[o + 3] = int8DotTail(weight, i, len, p.lane(SUM3), b3, at3);
  }

  private static float int8SquareDistanceTail(
      float[] residual, float[] step, int from, int len, float sum, ByteBuffer b, int at) {
    for (int i = from; i < len; i++) {
      float d = residual[i] - step[i] * b.get(at + i);
      sum += d * d;
    }
    return sum;
  }

  private static float int8DotTail(
      float[] weight, int from, int len, float sum, ByteBuffer b, int at) {
    for (int i = from; i < len; i++) {
      sum += weight[i] * b.get(at + i);
    }
    return sum;
  }

  private static float squareDistanceTail(
      float[] a, int from, int len, float sum, ByteBuffer b, int at) {
    for (int i = from; i < len; i++) {
      float d = a[i] - b.getFloat(at + i * Float.BYTES);
      sum += d * d;
    }
    return sum;
  }

  private static float dotTail(float[] a, int from, int len, float sum, ByteBuffer b, int at) {
    for (int i = from; i < len; i++) {
      sum += a[i] * b.getFloat(at + i * Float.BYTES);
    }
    return sum;
  }

  private static float cosineToUnitTail(
      float[] a, int from, int len, float dot, float norm, ByteBuffer b, int at) {
    for (int i = from; i < len; i++) {
      float y = b.getFloat(at + i * Float.BYTES);
      dot += a[i] * y;
      norm += y * y;
    }
    return Cosine.fromParts(dot, 1f, norm);
  }

  private static FloatVector lane(float[] array, int offset) {
    return FloatVector.fromArray(SPECIES, array, offset);
  }

  /**
   * The vector at {@code byteOffset}: JDK 17-19 load it from the buffer; JDK 22+ (which dropped
   * {@code fromByteBuffer}) from the buffer's memory segment, through method handles so that this
   * class compiles for Java 17; C2 inlines constant handles like direct calls.
   */
  private static FloatVector lane(ByteBuffer buffer, Object segment, int byteOffset) {
    if (SEGMENTS) {
      try {
        return (FloatVector)
            FROM_SEGMENT.invokeExact(SPECIES, segment, (long) byteOffset, ByteOrder.LITTLE_ENDIAN);
      } catch (Throwable e) {
        throw new IllegalStateException("FloatVector.fromMemorySegment failed", e);
      }
    }
    return FloatVector.fromByteBuffer(SPECIES, buffer, byteOffset, ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * {@code LANES} signed codes at {@code byteOffset}, widened to floats, loaded as {@link #lane}.
   */
  private static FloatVector codes(ByteBuffer buffer, Object segment, int byteOffset) {
    ByteVector bytes;
    if (SEGMENTS) {
      try {
        bytes =
            (ByteVector)
                BYTES_FROM_SEGMENT.invokeExact(
                    CODE_SPECIES, segment, (long) byteOffset, ByteOrder.LITTLE_ENDIAN);
      } catch (Throwable e) {
        throw new IllegalStateException("ByteVector.fromMemorySegment failed", e);
      }
    } else {
      bytes = ByteVector.fromByteBuffer(CODE_SPECIES, buffer, byteOffset, ByteOrder.LITTLE_ENDIAN);
    }
    return (FloatVector) bytes.convertShape(VectorOperators.B2F, SPECIES, 0);
  }

  /** The buffer's memory segment on JDK 22+; JDK 17-19 read the buffer itself. */
  @Override
  public Object view(ByteBuffer buffer) {
    if (!SEGMENTS) {
      return buffer;
    }
    try {
      // a segment spans the buffer's position to its limit; offsets here count from its start
      ByteBuffer whole =
          buffer.position() == 0 && buffer.limit() == buffer.capacity()
              ? buffer
              : buffer.duplicate().clear();
      return (Object) OF_BUFFER.invokeExact(whole);
    } catch (Throwable e) {
      throw new IllegalStateException("MemorySegment.ofBuffer failed", e);
    }
  }

  /** JDK 22+: vectors load from memory segments (java.lang.foreign, final since JDK 22). */
  static final boolean SEGMENTS = Runtime.version().feature() >= 22;

  private static final MethodHandle OF_BUFFER;
  private static final MethodHandle FROM_SEGMENT;
  private static final MethodHandle BYTES_FROM_SEGMENT;

  static {
    MethodHandle ofBuffer = null;
    MethodHandle fromSegment = null;
    MethodHandle bytesFromSegment = null;
    if (SEGMENTS) {
      try {
        Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        ofBuffer =
            lookup
                .findStatic(
                    segmentType, "ofBuffer", MethodType.methodType(segmentType, Buffer.class))
                .asType(MethodType.methodType(Object.class, ByteBuffer.class));
        fromSegment =
            lookup
                .findStatic(
                    FloatVector.class,
                    "fromMemorySegment",
                    MethodType.methodType(
                        FloatVector.class,
                        VectorSpecies.class,
                        segmentType,
                        long.class,
                        ByteOrder.class))
                .asType(
                    MethodType.methodType(
                        FloatVector.class,
                        VectorSpecies.class,
                        Object.class,
                        long.class,
                        ByteOrder.class));
        bytesFromSegment =
            lookup
                .findStatic(
                    ByteVector.class,
                    "fromMemorySegment",
                    MethodType.methodType(
                        ByteVector.class,
                        VectorSpecies.class,
                        segmentType,
                        long.class,
                        ByteOrder.class))
                .asType(
                    MethodType.methodType(
                        ByteVector.class,
                        VectorSpecies.class,
                        Object.class,
                        long.class,
                        ByteOrder.class));
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }
    OF_BUFFER = ofBuffer;
    FROM_SEGMENT = fromSegment;
    BYTES_FROM_SEGMENT = bytesFromSegment;
  }
}
