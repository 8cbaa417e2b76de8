package io.zerocopy.engine.hnsw;

import io.zerocopy.engine.distance.VectorKernel;

/**
 * Builds graphs for the dot metric in the space of the MIPS-to-nearest-neighbour reduction
 * (Bachrach et al., 2014): every vector {@code x} becomes {@code [x, sqrt(Φ² - |x|²)]} with {@code
 * Φ} the largest norm, a query {@code q} becomes {@code [q, 0]}. Then {@code |q' - x'|² = |q|² + Φ²
 * - 2 q·x}, so ranking a query by {@code -q·x} (what searches do) is ranking it by L2 in that
 * space, and the graph between vectors is built with a true metric, where the heuristic neighbour
 * selection works. Only the build uses this scorer.
 */
final class MipsBuildScorer implements VectorScorer {

  private final VectorScorer vectors;
  private final VectorKernel kernel;
  private final int dimension;
  private final float maxSquaredNorm;

  MipsBuildScorer(VectorScorer vectors, VectorKernel kernel, float maxSquaredNorm) {
    this.vectors = vectors;
    this.kernel = kernel;
    this.dimension = vectors.dimension();
    this.maxSquaredNorm = maxSquaredNorm;
  }

  /** The largest squared norm of the vectors {@code [0, count)}. */
  static float maxSquaredNorm(VectorScorer vectors, VectorKernel kernel, int count) {
    float[] buffer = new float[vectors.dimension()];
    float max = 0f;
    for (int node = 0; node < count; node++) {
      vectors.read(node, buffer, 0);
      max = Math.max(max, kernel.dot(buffer, 0, buffer, 0, buffer.length));
    }
    return max;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public long size() {
    return vectors.size();
  }

  @Override
  public void read(int node, float[] dst, int offset) {
    vectors.read(node, dst, offset);
  }

  @Override
  public float score(float[] query, int node, float[] scratch) {
    vectors.read(node, scratch, 0);
    return compare(query, 0, scratch, 0);
  }

  @Override
  public float compare(float[] a, int aOffset, float[] b, int bOffset) {
    float squared = kernel.squareDistance(a, aOffset, b, bOffset, dimension);
    float extraA = extra(kernel.dot(a, aOffset, a, aOffset, dimension));
    float extraB = extra(kernel.dot(b, bOffset, b, bOffset, dimension));
    float delta = extraA - extraB;
    return squared + delta * delta;
  }

  private float extra(float squaredNorm) {
    return (float) Math.sqrt(Math.max(0f, maxSquaredNorm - squaredNorm));
  }

  @Override
  public float distance(float score) {
    return score;
  }
}
