package io.zerocopy.engine.hnsw;

import java.util.Arrays;

/** One thread's reusable search and insertion buffers: nothing is allocated per visited node. */
final class SearchContext {

  final VisitedSet visited = new VisitedSet();
  final LongHeap candidates = new LongHeap(512);
  final LongHeap results = new LongHeap(512);
  final int[] neighbors;
  final int[] linkNeighbors;
  final int[] selected;
  final int[] linkSelected;
  final long[] linkCodes;
  final float[] query;
  final float[] base;
  final float[] scratch;
  final float[] selectedVectors;
  private long[] sorted = new long[256];
  private int[] entries = new int[256];

  SearchContext(int m, int dimension) {
    int capacity = 2 * m + 1;
    neighbors = new int[capacity];
    linkNeighbors = new int[capacity];
    selected = new int[capacity];
    linkSelected = new int[capacity];
    linkCodes = new long[capacity];
    query = new float[dimension];
    base = new float[dimension];
    scratch = new float[dimension];
    selectedVectors = new float[capacity * dimension];
  }

  long[] sorted(int size) {
    if (sorted.length < size) {
      sorted = new long[Math.max(size, sorted.length * 2)];
    }
    return sorted;
  }

  int[] entries(int size) {
    if (entries.length < size) {
      entries = Arrays.copyOf(entries, Math.max(size, entries.length * 2));
    }
    return entries;
  }

  /** Pops the results heap (a max-heap of {@code ~code}) into ascending codes; returns count. */
  int drainResults() {
    int n = results.size();
    long[] out = sorted(n);
    for (int i = n - 1; i >= 0; i--) {
      out[i] = ~results.pop();
    }
    return n;
  }

  long[] sorted() {
    return sorted;
  }
}
