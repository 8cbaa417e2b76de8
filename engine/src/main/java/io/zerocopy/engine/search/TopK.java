package io.zerocopy.engine.search;

import java.util.Arrays;
import java.util.List;

/**
 * Keeps the k best (smallest distance, then smallest id) of a stream of candidates in a bounded
 * max-heap of primitives: no boxing on the hot path. Not thread-safe; merge per-thread instances.
 */
public final class TopK {

  private final int k;
  private long[] ids;
  private float[] distances;
  private int size;

  /** A collector of the best {@code k}; storage grows with what is offered, up to k. */
  public TopK(int k) {
    if (k <= 0) {
      throw new IllegalArgumentException("k must be > 0, got " + k);
    }
    this.k = k;
    int capacity = Math.min(k, 64);
    this.ids = new long[capacity];
    this.distances = new float[capacity];
  }

  public int k() {
    return k;
  }

  public int size() {
    return size;
  }

  public boolean isFull() {
    return size == k;
  }

  /** The worst distance kept, or +infinity while fewer than k are kept. */
  public float worstDistance() {
    return size == k ? distances[0] : Float.POSITIVE_INFINITY;
  }

  /** Offers a candidate; returns whether it was kept. */
  public boolean offer(long id, float distance) {
    if (size < k) {
      if (size == ids.length) {
        int capacity = (int) Math.min(k, 2L * ids.length);
        ids = Arrays.copyOf(ids, capacity);
        distances = Arrays.copyOf(distances, capacity);
      }
      int i = size++;
      ids[i] = id;
      distances[i] = distance;
      siftUp(i);
      return true;
    }
    if (!before(distance, id, distances[0], ids[0])) {
      return false;
    }
    ids[0] = id;
    distances[0] = distance;
    siftDown(0);
    return true;
  }

  /** Adds every result of {@code other}. */
  public void addAll(TopK other) {
    for (int i = 0; i < other.size; i++) {
      offer(other.ids[i], other.distances[i]);
    }
  }

  /** The kept results in ascending order (distance, then id). */
  public List<Neighbor> toSortedList() {
    Neighbor[] result = new Neighbor[size];
    for (int i = 0; i < size; i++) {
      result[i] = new Neighbor(ids[i], distances[i]);
    }
    Arrays.sort(result, Neighbor.ORDER);
    return List.of(result);
  }

  private static boolean before(float d1, long id1, float d2, long id2) {
    return d1 < d2 || (d1 == d2 && id1 < id2);
  }

  private void siftUp(int i) {
    long id = ids[i];
    float distance = distances[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!before(distances[parent], ids[parent], distance, id)) {
        break;
      }
      ids[i] = ids[parent];
      distances[i] = distances[parent];
      i = parent;
    }
    ids[i] = id;
    distances[i] = distance;
  }

  private void siftDown(int i) {
    long id = ids[i];
    float distance = distances[i];
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size
          && before(distances[child], ids[child], distances[child + 1], ids[child + 1])) {
        child++;
      }
      if (!before(distance, id, distances[child], ids[child])) {
        break;
      }
      ids[i] = ids[child];
      distances[i] = distances[child];
      i = child;
    }
    ids[i] = id;
    distances[i] = distance;
  }
}
