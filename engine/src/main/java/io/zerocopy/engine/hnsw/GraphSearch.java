package io.zerocopy.engine.hnsw;

import java.util.function.LongPredicate;

/**
 * The one search routine of the index, over any {@link GraphView} and {@link VectorScorer}: greedy
 * descent through the upper layers, then a best-first beam of width ef on a layer (Malkov &
 * Yashunin, Algorithm 2). Filtered-out and deleted nodes are traversed but never enter the results,
 * so recall holds when few nodes are allowed.
 */
final class GraphSearch {

  private GraphSearch() {}

  /**
   * Greedy walk from {@code start} down the layers {@code top … bottom + 1}; returns the code
   * (score, node) of the closest node found on layer {@code bottom + 1}.
   */
  static long descend(
      GraphView graph,
      VectorScorer scorer,
      SearchContext context,
      float[] query,
      int start,
      int top,
      int bottom) {
    int current = start;
    float currentScore = scorer.score(query, start, context.scratch);
    long scored = 1;
    int[] neighbors = context.neighbors;
    float[] scores = context.scores;
    for (int level = top; level > bottom; level--) {
      boolean moved = true;
      while (moved) {
        moved = false;
        int count = graph.neighbors(current, level, neighbors);
        context.touched += scorer.touch(neighbors, count);
        scorer.scoreAll(query, neighbors, count, scores, context.block);
        scored += count;
        for (int i = 0; i < count; i++) {
          int candidate = neighbors[i];
          float score = scores[i];
          if (score < currentScore) {
            currentScore = score;
            current = candidate;
            moved = true;
          }
        }
      }
    }
    context.scored += scored;
    return LongHeap.encode(currentScore, current);
  }

  /**
   * Best-first search of {@code level} from {@code entryCount} entry points; leaves up to {@code
   * ef} accepted nodes in {@code context.results} (a max-heap of {@code ~code}). A node is accepted
   * unless it is in {@code deleted} or fails {@code filter} (either may be null).
   */
  static void searchLayer(
      GraphView graph,
      VectorScorer scorer,
      SearchContext context,
      float[] query,
      int[] entries,
      int entryCount,
      int level,
      int ef,
      Tombstones deleted,
      LongPredicate filter) {
    VisitedSet visited = context.visited;
    visited.reset(graph.size());
    LongHeap candidates = context.candidates;
    LongHeap results = context.results;
    candidates.clear();
    results.clear();
    boolean filtering = filter != null || (deleted != null && deleted.any());
    float bound = Float.POSITIVE_INFINITY;
    long scored = 0;
    int touched = 0;
    int[] neighbors = context.neighbors;
    float[] scores = context.scores;
    float[] block = context.block;
    // the entries (a build's next layer starts from up to ef of them) scored a list at a time,
    // as neighbours are: one by one, each waited for its own misses
    for (int i = 0; i < entryCount; ) {
      int fresh = 0;
      for (; i < entryCount && fresh < neighbors.length; i++) {
        if (visited.visit(entries[i])) {
          neighbors[fresh++] = entries[i];
        }
      }
      touched += scorer.touch(neighbors, fresh);
      scorer.scoreAll(query, neighbors, fresh, scores, block);
      scored += fresh;
      for (int j = 0; j < fresh; j++) {
        int entry = neighbors[j];
        long code = LongHeap.encode(scores[j], entry);
        candidates.push(code);
        if (!filtering || accepts(entry, deleted, filter)) {
          results.push(~code);
          if (results.size() > ef) {
            results.pop();
          }
          if (results.size() >= ef) {
            bound = LongHeap.score(~results.peek());
          }
        }
      }
    }
    while (!candidates.isEmpty()) {
      long closest = candidates.peek();
      if (LongHeap.score(closest) > bound) {
        break;
      }
      candidates.pop();
      int count = graph.neighbors(LongHeap.node(closest), level, neighbors);
      // the unvisited neighbours first, then all their scores at once: their vectors are read
      // back to back, so the memory system fetches several at a time (hnswlib prefetches)
      int fresh = 0;
      for (int i = 0; i < count; i++) {
        int node = neighbors[i];
        if (visited.visit(node)) {
          neighbors[fresh++] = node;
        }
      }
      // start the misses of every fresh vector and of the likely next list (the best candidate
      // left) at once, before any is waited for: +11-21% QPS, interleaved A/B in issue 28's note
      touched += scorer.touch(neighbors, fresh);
      if (level == 0 && !candidates.isEmpty()) {
        touched += graph.touch(LongHeap.node(candidates.peek()));
      }
      scorer.scoreAll(query, neighbors, fresh, scores, block);
      scored += fresh;
      for (int i = 0; i < fresh; i++) {
        int node = neighbors[i];
        float score = scores[i];
        if (score < bound) {
          long code = LongHeap.encode(score, node);
          candidates.push(code);
          if (!filtering || accepts(node, deleted, filter)) {
            results.push(~code);
            if (results.size() > ef) {
              results.pop();
            }
            if (results.size() >= ef) {
              bound = LongHeap.score(~results.peek());
            }
          }
        }
      }
    }
    context.scored += scored;
    context.touched += touched;
  }

  /**
   * As above with a beam of width {@code ef} that keeps the best {@code pool >= ef} accepted nodes
   * it scores: the walk is the beam's of ef, node for node, and a re-ranking of its results draws
   * on pool candidates. For walks on codes, whose order of the best candidates is approximate: a
   * beam as wide as the pool would score many more nodes for the same candidates. A method of its
   * own, so that the float32 walk's loop above stays as measured.
   */
  static void searchLayer(
      GraphView graph,
      VectorScorer scorer,
      SearchContext context,
      float[] query,
      int[] entries,
      int entryCount,
      int level,
      int ef,
      int pool,
      Tombstones deleted,
      LongPredicate filter) {
    VisitedSet visited = context.visited;
    visited.reset(graph.size());
    LongHeap candidates = context.candidates;
    LongHeap results = context.results; // the pool
    LongHeap beam = context.beam; // the beam's best ef, which bound its expansion
    candidates.clear();
    results.clear();
    beam.clear();
    boolean filtering = filter != null || (deleted != null && deleted.any());
    float[] scratch = context.scratch;
    float bound = Float.POSITIVE_INFINITY; // the beam's: expand only candidates below it
    float poolBound = Float.POSITIVE_INFINITY; // the pool's: keep only results below it
    long scored = 0;
    int touched = 0;
    for (int i = 0; i < entryCount; i++) {
      int entry = entries[i];
      if (!visited.visit(entry)) {
        continue;
      }
      long code = LongHeap.encode(scorer.score(query, entry, scratch), entry);
      scored++;
      candidates.push(code);
      if (!filtering || accepts(entry, deleted, filter)) {
        poolBound = offer(results, code, pool, poolBound);
        bound = offer(beam, code, ef, bound);
      }
    }
    int[] neighbors = context.neighbors;
    float[] scores = context.scores;
    float[] block = context.block;
    while (!candidates.isEmpty()) {
      long closest = candidates.peek();
      if (LongHeap.score(closest) > bound) {
        break;
      }
      candidates.pop();
      int count = graph.neighbors(LongHeap.node(closest), level, neighbors);
      int fresh = 0;
      for (int i = 0; i < count; i++) {
        int node = neighbors[i];
        if (visited.visit(node)) {
          neighbors[fresh++] = node;
        }
      }
      touched += scorer.touch(neighbors, fresh); // as in the walk above
      if (level == 0 && !candidates.isEmpty()) {
        touched += graph.touch(LongHeap.node(candidates.peek()));
      }
      scorer.scoreAll(query, neighbors, fresh, scores, block);
      scored += fresh;
      for (int i = 0; i < fresh; i++) {
        int node = neighbors[i];
        float score = scores[i];
        if (score < poolBound) {
          long code = LongHeap.encode(score, node);
          if (score < bound) {
            candidates.push(code);
          }
          if (!filtering || accepts(node, deleted, filter)) {
            poolBound = offer(results, code, pool, poolBound);
            bound = offer(beam, code, ef, bound);
          }
        }
      }
    }
    context.scored += scored;
    context.touched += touched;
  }

  /**
   * Offers an accepted node to {@code best}, a max-heap of {@code ~code} that keeps the best {@code
   * size}; returns its new bound (the worst kept score once full).
   */
  private static float offer(LongHeap best, long code, int size, float bound) {
    if (LongHeap.score(code) >= bound) {
      return bound;
    }
    best.push(~code);
    if (best.size() > size) {
      best.pop();
    }
    return best.size() >= size ? LongHeap.score(~best.peek()) : bound;
  }

  private static boolean accepts(int node, Tombstones deleted, LongPredicate filter) {
    return (deleted == null || !deleted.contains(node)) && (filter == null || filter.test(node));
  }
}
