package io.zerocopy.engine.hnsw;

/**
 * The one definition of the HNSW parameters — defaults, bounds and the error a bad value gets — for
 * the engine, every Spark surface (write options, {@code buildIndex}, the DataFrame join, {@code
 * vec_knn}, {@code NEAREST BY}) and the Python package, which passes unset values through as null
 * so that its defaults are these. Each check takes the name the caller's user knows the parameter
 * by ({@code "m"}, {@code "option 'efConstruction'"}, {@code "ef_construction"}).
 */
public final class HnswParameters {

  /** Links per node above level 0 (2m at level 0), the seed's default. */
  public static final int DEFAULT_M = 16;

  public static final int MIN_M = 2;

  /**
   * As Lucene's bound: a node's level-0 list is 2m ints, so m 512 already costs 4 KiB of links per
   * vector, and recall stops improving long before.
   */
  public static final int MAX_M = 512;

  /** Beam width while building, the seed's default. */
  public static final int DEFAULT_EF_CONSTRUCTION = 200;

  /** The build keeps an efConstruction-sized candidate heap per thread: bounded to stay sane. */
  public static final int MAX_EF_CONSTRUCTION = 1 << 16;

  /** The seed's search default is {@code ef = max(k, 50)}. */
  public static final int DEFAULT_EF_FLOOR = 50;

  private HnswParameters() {}

  /** The search beam when the caller gives none: {@code max(k, 50)}. */
  public static int defaultEf(int k) {
    return Math.max(k, DEFAULT_EF_FLOOR);
  }

  /** {@code ef} if given, else {@link #defaultEf}; checked against {@code k}. */
  public static int efOrDefault(Integer ef, int k, String name) {
    return checkEf(ef == null ? defaultEf(k) : ef, k, name);
  }

  public static int checkM(int m, String name) {
    if (m < MIN_M || m > MAX_M) {
      throw new IllegalArgumentException(
          name + " must be in [" + MIN_M + ", " + MAX_M + "], got " + m);
    }
    return m;
  }

  public static int checkEfConstruction(int efConstruction, String name) {
    if (efConstruction < 1 || efConstruction > MAX_EF_CONSTRUCTION) {
      throw new IllegalArgumentException(
          name + " must be in [1, " + MAX_EF_CONSTRUCTION + "], got " + efConstruction);
    }
    return efConstruction;
  }

  public static int checkK(int k, String name) {
    if (k < 1) {
      throw new IllegalArgumentException(name + " must be > 0, got " + k);
    }
    return k;
  }

  /** A search beam narrower than k cannot return k neighbours. */
  public static int checkEf(int ef, int k, String name) {
    if (ef < k) {
      throw new IllegalArgumentException(name + " must be >= k (" + k + "), got " + ef);
    }
    return ef;
  }
}
