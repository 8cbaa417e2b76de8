package io.zerocopy.engine.hnsw;

import java.util.Arrays;

/**
 * A binary min-heap of primitive longs. Search codes pack (score, node) into one long ({@link
 * #encode}) so that long order is score order, ties broken by the smaller node; storing {@code
 * ~code} turns the same heap into a max-heap. No boxing, storage reused across searches.
 */
final class LongHeap {

  private long[] heap;
  private int size;

  LongHeap(int capacity) {
    heap = new long[Math.max(capacity, 16)];
  }

  /** A long whose signed order is (score, node) order. */
  static long encode(float score, int node) {
    int bits = Float.floatToIntBits(score);
    int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
    return ((long) sortable << 32) | (node & 0xffffffffL);
  }

  static float score(long code) {
    int sortable = (int) (code >> 32);
    return Float.intBitsToFloat(sortable ^ ((sortable >> 31) & 0x7fffffff));
  }

  static int node(long code) {
    return (int) code;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  void clear() {
    size = 0;
  }

  long peek() {
    return heap[0];
  }

  void push(long value) {
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      long p = heap[parent];
      if (p <= value) {
        break;
      }
      heap[i] = p;
      i = parent;
    }
    heap[i] = value;
  }

  long pop() {
    long top = heap[0];
    long last = heap[--size];
    int i = 0;
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      long c = heap[child];
      int right = child + 1;
      if (right < size && heap[right] < c) {
        child = right;
        c = heap[right];
      }
      if (last <= c) {
        break;
      }
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
