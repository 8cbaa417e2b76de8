package io.zerocopy.engine.hnsw;

import java.util.Arrays;

/** Deleted node ids as a bitset; deleted nodes still route searches but are never returned. */
final class Tombstones {

  private long[] words;
  private int count;

  Tombstones(int nodes) {
    words = new long[wordsFor(nodes)];
  }

  Tombstones(long[] words) {
    this.words = words;
    for (long word : words) {
      count += Long.bitCount(word);
    }
  }

  static int wordsFor(int nodes) {
    return (nodes + 63) >>> 6;
  }

  void grow(int nodes) {
    if (wordsFor(nodes) > words.length) {
      words = Arrays.copyOf(words, wordsFor(nodes));
    }
  }

  boolean any() {
    return count > 0;
  }

  int count() {
    return count;
  }

  boolean contains(int node) {
    return (words[node >>> 6] & (1L << node)) != 0;
  }

  /** Marks {@code node}; returns false if it was already deleted. */
  boolean add(int node) {
    long bit = 1L << node;
    int w = node >>> 6;
    if ((words[w] & bit) != 0) {
      return false;
    }
    words[w] |= bit;
    count++;
    return true;
  }

  /** The first {@link #wordsFor(int) wordsFor(nodes)} words (for saving). */
  long[] words(int nodes) {
    return Arrays.copyOf(words, wordsFor(nodes));
  }
}
