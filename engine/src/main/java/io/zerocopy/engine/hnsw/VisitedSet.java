package io.zerocopy.engine.hnsw;

import java.util.Arrays;

/**
 * Nodes seen by one search: a generation stamp per node, so clearing is one increment and the array
 * is reused by every search of a thread.
 */
final class VisitedSet {

  private int[] stamps = new int[0];
  private int generation;

  /** Starts a new search over {@code nodes} nodes. */
  void reset(int nodes) {
    if (stamps.length < nodes) {
      stamps = new int[Math.max(nodes, stamps.length + (stamps.length >> 1))];
      generation = 0;
    }
    if (++generation == 0) {
      Arrays.fill(stamps, 0);
      generation = 1;
    }
  }

  /** Marks {@code node}; returns true if it was not yet visited in this search. */
  boolean visit(int node) {
    if (stamps[node] == generation) {
      return false;
    }
    stamps[node] = generation;
    return true;
  }
}
