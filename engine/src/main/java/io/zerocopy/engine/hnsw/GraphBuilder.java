package io.zerocopy.engine.hnsw;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Inserts nodes into a {@link HeapGraph} (Malkov & Yashunin, Algorithm 1 with the heuristic
 * neighbour selection of Algorithm 4), safely from several threads: a node's lists change only
 * under its lock, and at most one lock is held at a time. A node that raises the top layer holds
 * the entry lock for its whole insertion, as in hnswlib.
 */
final class GraphBuilder {

  /** Highest level a node may draw; a byte per node holds it. */
  static final int MAX_LEVEL = 31;

  private final HeapGraph graph;
  private final VectorScorer scorer;
  private final EntryPoint entry;
  private final int m;
  private final int efConstruction;

  GraphBuilder(HeapGraph graph, VectorScorer scorer, EntryPoint entry, int m, int efConstruction) {
    this.graph = graph;
    this.scorer = scorer;
    this.entry = entry;
    this.m = m;
    this.efConstruction = efConstruction;
  }

  /** Draws {@code count} levels: {@code floor(-ln(U) / ln(M))}, capped at {@link #MAX_LEVEL}. */
  static byte[] drawLevels(SplittableRandom random, int count, int m) {
    double multiplier = 1.0 / Math.log(m);
    byte[] levels = new byte[count];
    for (int i = 0; i < count; i++) {
      double u = 1.0 - random.nextDouble(); // (0, 1]
      levels[i] = (byte) Math.min(MAX_LEVEL, (int) (-Math.log(u) * multiplier));
    }
    return levels;
  }

  /** Links {@code node} (already registered in the graph with its level) into the graph. */
  void insert(int node, SearchContext context) {
    int level = graph.level(node);
    float[] query = context.query;
    scorer.read(node, query, 0);
    query = scorer.prepare(query, query);
    boolean holding = false;
    long state = entry.state;
    if (state == EntryPoint.EMPTY || level > EntryPoint.level(state)) {
      entry.lock.lock();
      holding = true;
      state = entry.state;
      if (state == EntryPoint.EMPTY) {
        entry.state = EntryPoint.pack(node, level);
        entry.lock.unlock();
        return;
      }
      if (level <= EntryPoint.level(state)) {
        entry.lock.unlock();
        holding = false;
      }
    }
    try {
      int top = EntryPoint.level(state);
      long closest =
          GraphSearch.descend(
              graph, scorer, context, query, EntryPoint.node(state), top, Math.min(level, top));
      int[] entries = context.entries(1);
      entries[0] = LongHeap.node(closest);
      int entryCount = 1;
      for (int l = Math.min(level, top); l >= 0; l--) {
        GraphSearch.searchLayer(
            graph, scorer, context, query, entries, entryCount, l, efConstruction, null, null);
        int found = context.drainResults();
        long[] sorted = context.sorted();
        // M links for the new node on every layer (as the paper and hnswlib); lists then grow up
        // to M (upper layers) or 2M (layer 0) through back-links before they are pruned
        int count = selectDiverse(context, sorted, found, m, node, context.selected);
        setOwnNeighbors(node, l, count, context);
        for (int i = 0; i < count; i++) {
          link(context.selected[i], node, l, context);
        }
        entries = context.entries(found);
        for (int i = 0; i < found; i++) {
          entries[i] = LongHeap.node(sorted[i]);
        }
        entryCount = found;
      }
      if (level > top) {
        entry.state = EntryPoint.pack(node, level);
      }
    } finally {
      if (holding) {
        entry.lock.unlock();
      }
    }
  }

  /**
   * Sets the new node's list on {@code level} to its {@code count} selected neighbours. Another
   * thread may already have linked its own new node into this list (our node became reachable on an
   * upper layer, and its search descended through it): those back-links are kept, not overwritten,
   * and the union is pruned as any full list is (as hnswlib, which holds the new node's lock for
   * its whole insertion, never loses them).
   */
  private void setOwnNeighbors(int node, int level, int count, SearchContext context) {
    synchronized (graph.lock(node)) {
      int[] existing = context.linkNeighbors;
      int present = graph.neighbors(node, level, existing);
      if (present == 0) {
        graph.setNeighbors(node, level, context.selected, count);
        return;
      }
      KEPT_BACK_LINKS.addAndGet(present);
      long[] codes = new long[present + count];
      int candidates = 0;
      float[] base = context.query; // the new node's vector, prepared by insert
      for (int i = 0; i < present + count; i++) {
        int id = i < present ? existing[i] : context.selected[i - present];
        boolean seen = false;
        for (int j = 0; j < candidates && !seen; j++) {
          seen = LongHeap.node(codes[j]) == id;
        }
        if (!seen) {
          codes[candidates++] = LongHeap.encode(scorer.score(base, id, context.scratch), id);
        }
      }
      Arrays.sort(codes, 0, candidates);
      int capacity = level == 0 ? 2 * m : m;
      int[] union = new int[Math.min(candidates, capacity)];
      int kept;
      if (candidates <= capacity) {
        for (int i = 0; i < candidates; i++) {
          union[i] = LongHeap.node(codes[i]);
        }
        kept = candidates;
      } else {
        kept = selectDiverse(context, codes, candidates, capacity, node, union);
      }
      graph.setNeighbors(node, level, union, kept);
    }
  }

  /** Back-links other threads had added to a new node's list before it set it (kept since). */
  static final java.util.concurrent.atomic.AtomicLong KEPT_BACK_LINKS =
      new java.util.concurrent.atomic.AtomicLong();

  /** Adds {@code node} to the list of {@code target} on {@code level}, pruning a full list. */
  private void link(int target, int node, int level, SearchContext context) {
    synchronized (graph.lock(target)) {
      if (graph.tryAppend(target, level, node)) {
        return;
      }
      int[] current = context.linkNeighbors;
      int count = graph.neighbors(target, level, current);
      current[count] = node;
      float[] base = context.base;
      scorer.read(target, base, 0);
      base = scorer.prepare(base, base);
      // the full list and the new node scored together, as a search scores a list: their reads
      // overlap (scored one by one, each waited for its own misses); the same floats
      float[] scores = context.scores;
      context.touched += scorer.touch(current, count + 1);
      scorer.scoreAll(base, current, count + 1, scores, context.block);
      long[] codes = context.linkCodes;
      for (int i = 0; i <= count; i++) {
        codes[i] = LongHeap.encode(scores[i], current[i]);
      }
      Arrays.sort(codes, 0, count + 1);
      int capacity = level == 0 ? 2 * m : m;
      int kept = selectDiverse(context, codes, count + 1, capacity, target, context.linkSelected);
      graph.setNeighbors(target, level, context.linkSelected, kept);
    }
  }

  /**
   * The heuristic of Algorithm 4: walks candidates in ascending score to the base vector and keeps
   * one only if it is closer to the base than to every one kept so far. Writes up to {@code max}
   * ids to {@code out}; returns their count. {@code exclude} is never kept.
   */
  private int selectDiverse(
      SearchContext context, long[] codes, int candidates, int max, int exclude, int[] out) {
    int dimension = scorer.dimension();
    float[] kept = context.selectedVectors;
    int count = 0;
    for (int i = 0; i < candidates && count < max; i++) {
      int candidate = LongHeap.node(codes[i]);
      if (candidate == exclude) {
        continue;
      }
      float toBase = LongHeap.score(codes[i]);
      int slot = count * dimension;
      scorer.read(candidate, kept, slot);
      boolean diverse = true;
      for (int j = 0; j < count; j++) {
        if (scorer.compare(kept, slot, kept, j * dimension) < toBase) {
          diverse = false;
          break;
        }
      }
      if (diverse) {
        out[count++] = candidate;
      }
    }
    return count;
  }
}
