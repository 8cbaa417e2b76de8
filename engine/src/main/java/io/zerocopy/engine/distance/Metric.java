package io.zerocopy.engine.distance;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The seed's three distances; smaller is always closer. Each metric owns its arithmetic, as
 * Lucene's {@code VectorSimilarityFunction} does: the score searches rank by ({@link #score}, a
 * monotone function of the distance that is cheaper: squared L2), the distance it reports ({@link
 * #distance}) and the scoring of a block of stored vectors for batch scans ({@link #scoreBlock}).
 */
public enum Metric {
  /** Euclidean: {@code sqrt(sum((a-b)^2))}; ranks by the square, which needs no root. */
  L2("l2") {
    @Override
    public float score(VectorKernel kernel, float[] a, int aOffset, float[] b, int bOffset, int n) {
      return kernel.squareDistance(a, aOffset, b, bOffset, n);
    }

    @Override
    public float distance(float score) {
      return (float) Math.sqrt(score);
    }

    @Override
    public void scoreBlock(
        VectorKernel kernel,
        float[] query,
        int queryOffset,
        float querySquaredNorm,
        float[] block,
        int count,
        int dimension,
        float[] squaredNorms,
        float[] scores) {
      kernel.squareDistances(query, queryOffset, block, 0, count, dimension, scores, 0);
    }
  },
  /** {@code 1 - a·b / (|a| |b|)}; a zero vector is at distance 1 from everything. */
  COSINE("cosine") {
    @Override
    public float score(VectorKernel kernel, float[] a, int aOffset, float[] b, int bOffset, int n) {
      return kernel.cosineDistance(a, aOffset, b, bOffset, n);
    }

    @Override
    public boolean needsSquaredNorms() {
      return true;
    }

    @Override
    public void scoreBlock(
        VectorKernel kernel,
        float[] query,
        int queryOffset,
        float querySquaredNorm,
        float[] block,
        int count,
        int dimension,
        float[] squaredNorms,
        float[] scores) {
      kernel.dots(query, queryOffset, block, 0, count, dimension, scores, 0);
      for (int v = 0; v < count; v++) {
        // exactly as the kernels' cosineDistance computes it from the same parts
        scores[v] = Cosine.fromParts(scores[v], querySquaredNorm, squaredNorms[v]);
      }
    }
  },
  /** Negated inner product: {@code -(a·b)}. */
  DOT("dot") {
    @Override
    public float score(VectorKernel kernel, float[] a, int aOffset, float[] b, int bOffset, int n) {
      return -kernel.dot(a, aOffset, b, bOffset, n);
    }

    @Override
    public void scoreBlock(
        VectorKernel kernel,
        float[] query,
        int queryOffset,
        float querySquaredNorm,
        float[] block,
        int count,
        int dimension,
        float[] squaredNorms,
        float[] scores) {
      kernel.dots(query, queryOffset, block, 0, count, dimension, scores, 0);
      for (int v = 0; v < count; v++) {
        scores[v] = -scores[v];
      }
    }
  };

  /** The score searches rank by, smaller closer: {@link #distance} of it is the reported value. */
  public abstract float score(
      VectorKernel kernel, float[] a, int aOffset, float[] b, int bOffset, int n);

  /** The reported distance (the seed's value) of a {@link #score}. */
  public float distance(float score) {
    return score;
  }

  /**
   * The {@link #score}s of {@code count} row-major vectors of {@code block} against one query, into
   * {@code scores[0..count)}; {@code squaredNorms} (of the block's vectors) and {@code
   * querySquaredNorm} are read only if {@link #needsSquaredNorms}.
   */
  public abstract void scoreBlock(
      VectorKernel kernel,
      float[] query,
      int queryOffset,
      float querySquaredNorm,
      float[] block,
      int count,
      int dimension,
      float[] squaredNorms,
      float[] scores);

  /** Whether {@link #scoreBlock} needs the squared norms of the query and of the block. */
  public boolean needsSquaredNorms() {
    return false;
  }

  private final String id;

  Metric(String id) {
    this.id = id;
  }

  /** The name used in files, options and the Python API: "l2", "cosine" or "dot". */
  public String id() {
    return id;
  }

  /** Parses "l2", "cosine" or "dot" (case-insensitive); anything else names the allowed values. */
  public static Metric parse(String name) {
    if (name != null) {
      String wanted = name.trim().toLowerCase(Locale.ROOT);
      for (Metric metric : values()) {
        if (metric.id.equals(wanted)) {
          return metric;
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown metric '"
            + name
            + "': expected one of "
            + Arrays.stream(values()).map(Metric::id).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return id;
  }
}
