package io.zerocopy.engine.hnsw;

import java.util.Arrays;

/**
 * Nodes seen by one search: one bit per node (a 100-million-node graph needs 12.5 MB per thread,
 * and the bits of a typical graph stay in cache), cleared word by word from the list of words the
 * search touched, or all at once when it touched many.
 */
final class VisitedSet {

  private long[] bits = new long[0];
  private int[] touched = new int[64];
  private int touchedCount;
  private boolean overflow;

  /** Starts a new search over {@code nodes} nodes. */
  void reset(int nodes) {
    int words = (nodes + 63) >>> 6;
    if (bits.length < words) {
      bits = new long[Math.max(words, bits.length + (bits.length >> 1))];
    } else if (overflow) {
      Arrays.fill(bits, 0L);
    } else {
      for (int i = 0; i < touchedCount; i++) {
        bits[touched[i]] = 0L;
      }
    }
    touchedCount = 0;
    overflow = false;
  }

  /** Marks {@code node}; returns true if it was not yet visited in this search. */
  boolean visit(int node) {
    int index = node >>> 6;
    long word = bits[index];
    long bit = 1L << node;
    if ((word & bit) != 0) {
      return false;
    }
    if (word == 0L && !overflow) {
      remember(index);
    }
    bits[index] = word | bit;
    return true;
  }

  private void remember(int index) {
    if (touchedCount == touched.length) {
      if (touchedCount >= bits.length >>> 3) {
        overflow = true; // clearing everything is now cheaper than the list
        return;
      }
      touched = Arrays.copyOf(touched, touchedCount * 2);
    }
    touched[touchedCount++] = index;
  }
}
