package io.zerocopy.engine.cluster;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import java.util.Arrays;

/**
 * Trained cluster centres, row-major, and the two questions asked of them: which cluster a stored
 * vector belongs to ({@link #assign}: where a write puts a row) and which clusters a query should
 * visit ({@link #route}: its nearest {@code n} under the dataset's metric).
 *
 * <p>Clusters are trained in Euclidean space ({@link KMeans}): cosine data normalised, its centres
 * unit vectors (squared L2 between unit vectors is {@code 2 - 2 cos}: assigning and routing by
 * cosine ranks as training did); inner-product data grouped by Euclidean proximity, the only
 * geometry in which a mean is a centre, and queries routed by inner product with the centres, as an
 * inverted-file index over inner product does.
 */
public final class Centroids implements java.io.Serializable {

  private static final long serialVersionUID = 1L;

  private static final VectorKernel KERNEL = VectorKernel.selected();

  private final float[] flat;
  private final int count;
  private final int dimension;
  private final Metric metric;

  /**
   * {@code flat} holds {@code count} centres of {@code dimension} floats, row-major; not copied.
   */
  public Centroids(float[] flat, int count, int dimension, Metric metric) {
    if (count < 1 || dimension < 1 || flat.length != (long) count * dimension) {
      throw new IllegalArgumentException(
          "centroids: "
              + flat.length
              + " floats for "
              + count
              + " centres of dimension "
              + dimension);
    }
    for (int i = 0; i < flat.length; i++) {
      if (!Float.isFinite(flat[i])) {
        throw new IllegalArgumentException(
            "centroid " + i / dimension + " has a non-finite value at " + i % dimension);
      }
    }
    this.flat = flat;
    this.count = count;
    this.dimension = dimension;
    this.metric = metric;
  }

  public int count() {
    return count;
  }

  public int dimension() {
    return dimension;
  }

  public Metric metric() {
    return metric;
  }

  /** A copy of centre {@code i}. */
  public float[] centroid(int i) {
    return Arrays.copyOfRange(flat, i * dimension, (i + 1) * dimension);
  }

  /** The centres, row-major (a copy). */
  public float[] toArray() {
    return flat.clone();
  }

  /**
   * The cluster of a stored vector: its nearest centre by cosine for {@link Metric#COSINE}, else by
   * L2; ties to the lower.
   */
  public int assign(float[] vector) {
    checkDimension(vector);
    return nearest(assignmentScores(vector));
  }

  /** Each centre's distance to a stored vector: cosine for cosine data, else squared L2. */
  private float[] assignmentScores(float[] vector) {
    float[] scores = new float[count];
    if (metric == Metric.COSINE) {
      cosineDistances(vector, scores);
    } else {
      KERNEL.squareDistances(vector, 0, flat, 0, count, dimension, scores, 0);
    }
    return scores;
  }

  /** The lowest score's centre, ties to the lower. */
  private static int nearest(float[] scores) {
    int best = 0;
    for (int c = 1; c < scores.length; c++) {
      if (scores[c] < scores[best]) {
        best = c;
      }
    }
    return best;
  }

  /**
   * The clusters a stored vector goes to with boundary replicas (SPANN's closure assignment): its
   * own ({@link #assign}) first, then, nearest first, up to {@code maxReplicas} others whose centre
   * is within {@code (1 + epsilon)} × the distance to its own (L2, or cosine distance for {@link
   * Metric#COSINE}). A vector near a boundary is then found by a query routed to either side.
   */
  public int[] assignWithReplicas(float[] vector, double epsilon, int maxReplicas) {
    checkDimension(vector);
    if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException("epsilon must be finite and >= 0, got " + epsilon);
    }
    if (maxReplicas < 0) {
      throw new IllegalArgumentException("maxReplicas must be >= 0, got " + maxReplicas);
    }
    float[] scores = assignmentScores(vector);
    int own = nearest(scores);
    // squared L2 scales by the square of the factor
    double bound =
        metric == Metric.COSINE
            ? scores[own] * (1 + epsilon)
            : scores[own] * (1 + epsilon) * (1 + epsilon);
    int[] within = new int[count];
    int found = 0;
    for (int c = 0; c < count; c++) {
      if (c != own && scores[c] <= bound) {
        within[found++] = c;
      }
    }
    Integer[] order = new Integer[found];
    for (int i = 0; i < found; i++) {
      order[i] = within[i];
    }
    Arrays.sort(
        order, (a, b) -> scores[a] != scores[b] ? Float.compare(scores[a], scores[b]) : a - b);
    int[] result = new int[1 + Math.min(found, maxReplicas)];
    result[0] = own;
    for (int i = 1; i < result.length; i++) {
      result[i] = order[i - 1];
    }
    return result;
  }

  /**
   * The {@code n} clusters a query visits, nearest first (ties to the lower): by L2 for {@link
   * Metric#L2}, cosine for {@link Metric#COSINE}, largest inner product for {@link Metric#DOT}.
   */
  public int[] route(float[] query, int n) {
    checkDimension(query);
    if (n < 1) {
      throw new IllegalArgumentException("clusters to visit must be >= 1, got " + n);
    }
    int visit = Math.min(n, count);
    float[] scores = new float[count];
    if (metric == Metric.DOT) {
      KERNEL.dots(query, 0, flat, 0, count, dimension, scores, 0);
      for (int c = 0; c < count; c++) {
        scores[c] = -scores[c];
      }
    } else if (metric == Metric.COSINE) {
      cosineDistances(query, scores);
    } else {
      KERNEL.squareDistances(query, 0, flat, 0, count, dimension, scores, 0);
    }
    Integer[] order = new Integer[count];
    for (int c = 0; c < count; c++) {
      order[c] = c;
    }
    Arrays.sort(
        order, (a, b) -> scores[a] != scores[b] ? Float.compare(scores[a], scores[b]) : a - b);
    int[] result = new int[visit];
    for (int i = 0; i < visit; i++) {
      result[i] = order[i];
    }
    return result;
  }

  private void cosineDistances(float[] vector, float[] scores) {
    for (int c = 0; c < count; c++) {
      scores[c] = KERNEL.cosineDistance(vector, 0, flat, c * dimension, dimension);
    }
  }

  private void checkDimension(float[] vector) {
    if (vector.length != dimension) {
      throw new IllegalArgumentException(
          "vector has dimension " + vector.length + ", the centroids " + dimension);
    }
  }

  /** {@code vector / |vector|}; a zero vector stays zero. */
  static float[] normalized(float[] vector) {
    double norm = 0;
    for (float v : vector) {
      norm += (double) v * v;
    }
    float[] result = vector.clone();
    if (norm > 0) {
      float scale = (float) (1 / Math.sqrt(norm));
      for (int i = 0; i < result.length; i++) {
        result[i] *= scale;
      }
    }
    return result;
  }
}
