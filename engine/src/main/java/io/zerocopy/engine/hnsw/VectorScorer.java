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

  /** The ranking score of {@code node} against {@code query}; {@code scratch} holds a vector. */
  float score(float[] query, int node, float[] scratch);

  /** The ranking score between two vectors held in arrays. */
  float compare(float[] a, int aOffset, float[] b, int bOffset);

  /** The reported distance (as {@code Distance.of} computes it) for a ranking score. */
  float distance(float score);
}
