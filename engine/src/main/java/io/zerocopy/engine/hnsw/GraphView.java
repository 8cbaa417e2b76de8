package io.zerocopy.engine.hnsw;

/**
 * Read access to an HNSW graph, implemented by the in-heap graph (build, add) and by the mapped
 * {@code .hnsw} file (after open), so that one search routine serves both.
 */
interface GraphView {

  /** Number of nodes: ids {@code [0, size())}. */
  int size();

  /** M: the neighbour capacity of upper layers; layer 0 holds 2M. */
  int m();

  /** The top layer of {@code node}. */
  int level(int node);

  /**
   * Copies the neighbours of {@code node} on {@code level} into {@code dst} (which holds at least
   * 2M ints) and returns their count. {@code level} must not exceed {@link #level(int)}.
   */
  int neighbors(int node, int level, int[] dst);

  /**
   * Loads the start of {@code node}'s level-0 neighbour list ahead of {@link #neighbors} (as {@link
   * VectorScorer#touch}); returns a value derived from the load.
   */
  default int touch(int node) {
    return 0;
  }
}
