package io.zerocopy.engine.hnsw;

import java.util.Arrays;

/**
 * The graph in the heap while it is built or extended. Layer 0 lives in pages of fixed-size blocks
 * ({@code count, 2M ids}); a node with upper layers has one array of {@code level × (1 + M)} ints.
 * Writers lock the node they change (striped per-node monitors, one held at a time); readers do not
 * (hnswlib's build does: here the monitors were 3% of a 2-thread build's samples). An int is read
 * whole and a slot only ever holds 0 or an id written there, so a reader racing a writer copies ids
 * of nodes of the graph, at worst a stale or repeated one (the visited set skips it): what a reader
 * a moment earlier or later would have seen, or close to it.
 */
final class HeapGraph implements GraphView {

  private static final int PAGE_SHIFT = 14;
  private static final int PAGE_NODES = 1 << PAGE_SHIFT;
  private static final int PAGE_MASK = PAGE_NODES - 1;

  private final int m;
  private final int block0;
  private final int blockUpper;
  private int[][] pages = new int[0][];
  private byte[] levels = new byte[0];
  private int[][] upper = new int[0][];
  private int size;
  private Object[] locks = new Object[0];

  HeapGraph(int m) {
    this.m = m;
    this.block0 = 1 + 2 * m;
    this.blockUpper = 1 + m;
  }

  /** A heap copy of any graph, e.g. a mapped one that is about to be extended. */
  static HeapGraph copyOf(GraphView source) {
    HeapGraph graph = new HeapGraph(source.m());
    int n = source.size();
    graph.grow(n);
    int[] buffer = new int[2 * source.m()];
    for (int node = 0; node < n; node++) {
      int level = source.level(node);
      graph.addNode(node, level);
      for (int l = 0; l <= level; l++) {
        int count = source.neighbors(node, l, buffer);
        graph.setNeighbors(node, l, buffer, count);
      }
    }
    return graph;
  }

  /** Makes room for {@code nodes} nodes; call before adding them, with no reader running. */
  void grow(int nodes) {
    if (nodes <= levels.length) {
      return;
    }
    int capacity = Math.max(nodes, levels.length + (levels.length >> 1));
    levels = Arrays.copyOf(levels, capacity);
    upper = Arrays.copyOf(upper, capacity);
    int pageCount = (capacity + PAGE_NODES - 1) >>> PAGE_SHIFT;
    int old = pages.length;
    pages = Arrays.copyOf(pages, pageCount);
    for (int p = old; p < pageCount; p++) {
      pages[p] = new int[PAGE_NODES * block0];
    }
    int target = Math.min(Math.max(capacity, 1), 1 << 16);
    int stripes = Integer.highestOneBit(target * 2 - 1);
    if (stripes > locks.length) {
      Object[] next = Arrays.copyOf(locks, stripes);
      for (int i = locks.length; i < stripes; i++) {
        next[i] = new Object();
      }
      // only grown with no concurrent insertion running, so swapping stripes is safe
      locks = next;
    }
  }

  /** Registers {@code node} (the next id) with its top level and empty neighbour lists. */
  void addNode(int node, int level) {
    if (node != size) {
      throw new IllegalStateException("nodes are added in id order: expected " + size);
    }
    levels[node] = (byte) level;
    upper[node] = level > 0 ? new int[level * blockUpper] : null;
    size = node + 1;
  }

  /** Registers the nodes {@code [size(), size() + count)} at once with the given levels. */
  void addNodes(byte[] nodeLevels, int from, int count) {
    grow(size + count);
    for (int i = 0; i < count; i++) {
      addNode(size, nodeLevels[from + i]);
    }
  }

  Object lock(int node) {
    return locks[node & (locks.length - 1)];
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int m() {
    return m;
  }

  @Override
  public int level(int node) {
    return levels[node];
  }

  /** No lock: the load only starts the list's cache miss (a racing writer changes nothing). */
  @Override
  public int touch(int node) {
    return pages[node >>> PAGE_SHIFT][(node & PAGE_MASK) * block0];
  }

  /** No lock: see the class comment. */
  @Override
  public int neighbors(int node, int level, int[] dst) {
    int[] data;
    int offset;
    if (level == 0) {
      data = pages[node >>> PAGE_SHIFT];
      offset = (node & PAGE_MASK) * block0;
    } else {
      data = upper[node];
      offset = (level - 1) * blockUpper;
    }
    int count = data[offset];
    System.arraycopy(data, offset + 1, dst, 0, count);
    return count;
  }

  /** Replaces the neighbours of {@code node} on {@code level}; the caller holds its lock. */
  void setNeighbors(int node, int level, int[] src, int count) {
    int[] data;
    int offset;
    if (level == 0) {
      data = pages[node >>> PAGE_SHIFT];
      offset = (node & PAGE_MASK) * block0;
    } else {
      data = upper[node];
      offset = (level - 1) * blockUpper;
    }
    System.arraycopy(src, 0, data, offset + 1, count);
    data[offset] = count;
  }

  /**
   * Appends {@code neighbor} to the list of {@code node} on {@code level} if there is room; the
   * caller holds the node's lock. Returns false when the list is full.
   */
  boolean tryAppend(int node, int level, int neighbor) {
    int[] data;
    int offset;
    int capacity;
    if (level == 0) {
      data = pages[node >>> PAGE_SHIFT];
      offset = (node & PAGE_MASK) * block0;
      capacity = 2 * m;
    } else {
      data = upper[node];
      offset = (level - 1) * blockUpper;
      capacity = m;
    }
    int count = data[offset];
    if (count >= capacity) {
      return false;
    }
    data[offset + 1 + count] = neighbor;
    data[offset] = count + 1;
    return true;
  }
}
