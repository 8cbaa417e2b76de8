package io.zerocopy.engine.hnsw;

import java.util.Arrays;

/**
 * One thread's reusable search and insertion buffers: nothing is allocated per visited node. A
 * thread keeps one context for every index it uses (a per-index thread-local would keep one per
 * index alive on every thread that ever touched it, after the index is closed).
 */
final class SearchContext {

  private static final ThreadLocal<SearchContext> CURRENT = new ThreadLocal<>();

  final VisitedSet visited = new VisitedSet();
  final LongHeap candidates = new LongHeap(512);
  final LongHeap results = new LongHeap(512);
  final LongHeap beam = new LongHeap(512);
  final int[] neighbors;
  final int[] linkNeighbors;
  final int[] selected;
  final int[] linkSelected;
  final long[] linkCodes;
  final float[] query;
  final float[] base;
  final float[] scratch;
  final float[] selectedVectors;

  /** The vectors of one neighbour list, read back to back ({@link VectorScorer#scoreAll}). */
  final float[] block;

  /** Their scores. */
  final float[] scores;

  private long[] sorted = new long[256];
  private int[] entries = new int[256];
  private final int m;
  private final int dimension;
  private boolean busy;

  /** Kept from {@link VectorScorer#touch}, so that its loads are not dropped as unused. */
  int touched;

  /** Vectors scored by graph searches through this context (a diagnostic, never reset). */
  long scored;

  /** Float32 vectors read to re-rank searches on codes through this context (a diagnostic). */
  long reranked;

  /**
   * This thread's context for an index of degree {@code m} over {@code dimension}-d vectors, busy
   * until {@link #release()}. A nested use on the same thread (a filter that searches) gets its
   * own.
   */
  static SearchContext acquire(int m, int dimension) {
    SearchContext context = CURRENT.get();
    if (context == null || (!context.busy && (context.m != m || context.dimension != dimension))) {
      context = new SearchContext(m, dimension);
      CURRENT.set(context);
    } else if (context.busy) {
      context = new SearchContext(m, dimension);
    }
    context.busy = true;
    return context;
  }

  /**
   * Vectors this thread's graph searches scored so far; see {@link HnswIndex#scoredOnThisThread}.
   */
  static long scoredOnThisThread() {
    SearchContext context = CURRENT.get();
    return context == null ? 0 : context.scored;
  }

  /** Float32 vectors this thread's searches on codes re-ranked so far. */
  static long rerankedOnThisThread() {
    SearchContext context = CURRENT.get();
    return context == null ? 0 : context.reranked;
  }

  void release() {
    busy = false;
  }

  SearchContext(int m, int dimension) {
    this.m = m;
    this.dimension = dimension;
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
    block = new float[capacity * dimension];
    scores = new float[capacity];
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
