package io.zerocopy.engine.distance;

/** The one place that turns (a·b, |a|², |b|²) into a cosine distance, for both kernels. */
public final class Cosine {

  private Cosine() {}

  public static float fromParts(float dot, float squaredNormA, float squaredNormB) {
    if (squaredNormA == 0f || squaredNormB == 0f) {
      return 1f;
    }
    double similarity = dot / Math.sqrt((double) squaredNormA * (double) squaredNormB);
    return (float) (1.0 - similarity);
  }
}
