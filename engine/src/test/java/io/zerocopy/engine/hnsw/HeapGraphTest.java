package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Lists are read without a lock while other threads replace and append under it: what a reader
 * copies must still be a list a search can walk (a count within the capacity, ids of nodes of the
 * graph that some writer put in that list).
 */
class HeapGraphTest {

  private static final int M = 4;

  /** Nodes whose lists change. */
  private static final int NODES = 8;

  /** Those and the nodes their lists may hold: three per (node, level), none shared. */
  private static final int SIZE = NODES + NODES * 2 * 3;

  @Test
  void unlockedReadsRacingWritersSeeOnlyIdsWrittenToThatList() throws Exception {
    HeapGraph graph = new HeapGraph(M);
    byte[] levels = new byte[SIZE];
    levels[0] = 1; // one node with an upper layer: its list lives in its own array
    graph.addNodes(levels, 0, SIZE);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong writes = new AtomicLong();
    Thread[] writers = new Thread[2];
    for (int w = 0; w < writers.length; w++) {
      long seed = w;
      writers[w] =
          new Thread(
              () -> {
                SplittableRandom random = new SplittableRandom(seed);
                int[] list = new int[2 * M];
                while (!stop.get()) {
                  int node = random.nextInt(NODES);
                  int level = node == 0 ? random.nextInt(2) : 0;
                  int capacity = level == 0 ? 2 * M : M;
                  synchronized (graph.lock(node)) {
                    if (random.nextBoolean()) {
                      int count = random.nextInt(capacity + 1);
                      for (int i = 0; i < count; i++) {
                        list[i] = allowed(node, level, random.nextInt(3));
                      }
                      graph.setNeighbors(node, level, list, count);
                    } else {
                      graph.tryAppend(node, level, allowed(node, level, random.nextInt(3)));
                    }
                  }
                  writes.incrementAndGet();
                }
              });
      writers[w].start();
    }
    int[] dst = new int[2 * M];
    SplittableRandom random = new SplittableRandom(7);
    long reads = 0;
    try {
      while (reads < 2_000_000 || writes.get() < 100_000) {
        int node = random.nextInt(NODES);
        int level = node == 0 ? random.nextInt(2) : 0;
        int count = graph.neighbors(node, level, dst);
        assertTrue(count >= 0 && count <= (level == 0 ? 2 * M : M), "count " + count);
        for (int i = 0; i < count; i++) {
          int id = dst[i];
          // 0 is a slot never written since the node was added
          assertTrue(
              id == 0 || isAllowed(node, level, id),
              "node " + node + " level " + level + ": read " + id);
        }
        reads++;
      }
    } finally {
      stop.set(true);
      for (Thread writer : writers) {
        writer.join();
      }
    }
  }

  /** The ids writers may put in the list of (node, level). */
  private static int allowed(int node, int level, int which) {
    return NODES + (node * 2 + level) * 3 + which;
  }

  private static boolean isAllowed(int node, int level, int id) {
    int first = allowed(node, level, 0);
    return id >= first && id < first + 3;
  }
}
