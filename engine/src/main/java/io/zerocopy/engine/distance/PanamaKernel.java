package io.zerocopy.engine.distance;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the incubating Vector API. Loaded by name from {@link KernelSelection} only when
 * {@code jdk.incubator.vector} is readable, so no other class links against the module.
 */
final class PanamaKernel implements VectorKernel {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  private final boolean useFma;

  PanamaKernel(boolean useFma) {
    this.useFma = useFma;
  }

  static int vectorBitSize() {
    return SPECIES.vectorBitSize();
  }

  @Override
  public String name() {
    return "panama";
  }

  private FloatVector multiplyAdd(FloatVector x, FloatVector y, FloatVector acc) {
    // without hardware FMA the Vector API emulates fma lane by lane, far slower than mul + add
    return useFma ? x.fma(y, acc) : x.mul(y).add(acc);
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
      sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
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
      sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
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
      dot = dot0.add(dot1).reduceLanes(VectorOperators.ADD);
      normA = na0.add(na1).reduceLanes(VectorOperators.ADD);
      normB = nb0.add(nb1).reduceLanes(VectorOperators.ADD);
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

  private static FloatVector lane(float[] array, int offset) {
    return FloatVector.fromArray(SPECIES, array, offset);
  }
}
