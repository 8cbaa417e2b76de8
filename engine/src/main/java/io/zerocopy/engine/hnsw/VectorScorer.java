package io.zerocopy.engine.hnsw;

/**
 * How the graph sees vectors: it scores a query against a node id and never knows where vectors
 * live. Scores rank (smaller is closer) and may differ from the reported distance by a monotonic
 * map (L2 ranks by the squared distance); {@link #distance} gives the reported value.
 */
interface VectorScorer {

  /** Floats per vector. */
  int dimension();

  /** Number of vectors that can be scored: ids {@code [0, size())}. */
  long size();

  /** Copies the vector of {@code node} into {@code dst} at {@code offset}. */
  void read(int node, float[] dst, int offset);

  /**
   * The form of {@code query} that {@link #score} takes, made once per search or insertion: {@code
   * query} itself, or a transformed copy in {@code buffer} (which may be {@code query}: in place).
   */
  default float[] prepare(float[] query, float[] buffer) {
    return query;
  }

  /**
   * The ranking score of {@code node} against a {@link #prepare prepared} {@code query}; {@code
   * scratch} holds a vector.
   */
  float score(float[] query, int node, float[] scratch);

  /**
   * {@code scores[i] = score(query, nodes[i])} for {@code i < count}, equal bit for bit; {@code
   * block} holds {@code count} vectors. Reading all vectors before scoring any lets the memory
   * system fetch several at once.
   */
  default void scoreAll(float[] query, int[] nodes, int count, float[] scores, float[] block) {
    for (int i = 0; i < count; i++) {
      scores[i] = score(query, nodes[i], block);
    }
  }

  /**
   * Starts the memory reads of the data of {@code nodes[0, count)} at once, ahead of {@link
   * #scoreAll} (a load of each one's first bytes, as hnswlib prefetches); returns a value derived
   * from the loads, which the caller keeps so that they are not dropped. A no-op where data is
   * already close.
   */
  default int touch(int[] nodes, int count) {
    return 0;
  }

  /**
   * Whether {@link #distance} of a {@link #score} is the seed's distance bit for bit; if not,
   * results are re-scored with {@link #exactDistance} before they are reported.
   */
  default boolean scoresAreExact() {
    return true;
  }

  /** The seed's distance between the original (unprepared) {@code query} and {@code node}. */
  default float exactDistance(float[] query, int node, float[] scratch) {
    read(node, scratch, 0);
    return distance(compare(query, 0, scratch, 0));
  }

  /** The ranking score between two vectors held in arrays. */
  float compare(float[] a, int aOffset, float[] b, int bOffset);

  /** The reported distance (as {@code Distance.of} computes it) for a ranking score. */
  float distance(float score);
}
