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

  /** The kernel this JVM uses, chosen once (Vector API when its module is readable). */
  static VectorKernel selected() {
    return KernelSelection.SELECTED;
  }

  /** The scalar reference kernel, whatever {@link #selected()} is. */
  static VectorKernel scalar() {
    return ScalarKernel.INSTANCE;
  }
}
