package io.zerocopy.engine.distance;

/** Plain loops: the reference for the SIMD kernel and the fallback without the Vector API. */
final class ScalarKernel implements VectorKernel {

  static final ScalarKernel INSTANCE = new ScalarKernel();

  private ScalarKernel() {}

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public float dot(float[] a, int aOffset, float[] b, int bOffset, int len) {
    // four partial sums let the CPU overlap the additions, as the SIMD kernel does
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < len; i += 4) {
      s0 += a[aOffset + i] * b[bOffset + i];
      s1 += a[aOffset + i + 1] * b[bOffset + i + 1];
      s2 += a[aOffset + i + 2] * b[bOffset + i + 2];
      s3 += a[aOffset + i + 3] * b[bOffset + i + 3];
    }
    for (; i < len; i++) {
      s0 += a[aOffset + i] * b[bOffset + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int len) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < len; i += 4) {
      float d0 = a[aOffset + i] - b[bOffset + i];
      float d1 = a[aOffset + i + 1] - b[bOffset + i + 1];
      float d2 = a[aOffset + i + 2] - b[bOffset + i + 2];
      float d3 = a[aOffset + i + 3] - b[bOffset + i + 3];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; i < len; i++) {
      float d = a[aOffset + i] - b[bOffset + i];
      s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float cosineDistance(float[] a, int aOffset, float[] b, int bOffset, int len) {
    float dot = 0, normA = 0, normB = 0;
    for (int i = 0; i < len; i++) {
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
    float d0 = 0, d1 = 0, n0 = 0, n1 = 0;
    int i = 0;
    for (; i + 1 < len; i += 2) {
      float y0 = b[bOffset + i];
      float y1 = b[bOffset + i + 1];
      d0 += u[uOffset + i] * y0;
      d1 += u[uOffset + i + 1] * y1;
      n0 += y0 * y0;
      n1 += y1 * y1;
    }
    for (; i < len; i++) {
      float y = b[bOffset + i];
      d0 += u[uOffset + i] * y;
      n0 += y * y;
    }
    return Cosine.fromParts(d0 + d1, 1f, n0 + n1);
  }
}
