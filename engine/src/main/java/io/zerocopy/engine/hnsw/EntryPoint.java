package io.zerocopy.engine.hnsw;

import java.util.concurrent.locks.ReentrantLock;

/** The graph's entry node and top level, packed in one volatile long so readers see a pair. */
final class EntryPoint {

  static final long EMPTY = -1L;

  final ReentrantLock lock = new ReentrantLock();
  volatile long state = EMPTY;

  static long pack(int node, int level) {
    return ((long) level << 32) | (node & 0xffffffffL);
  }

  static int node(long state) {
    return (int) state;
  }

  static int level(long state) {
    return (int) (state >>> 32);
  }
}
