package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Searches racing adds, deletes and saves on one index. Every result must be sorted, of size k,
 * hold only ids that exist, carry each id's true distance, and never contain an id whose delete
 * returned before the search started.
 */
class HnswStressTest {

  private static final int DIMENSION = 16;
  private static final int INITIAL = 3_000;
  private static final int ADDED = 6_000;
  private static final int BATCH = 25;
  private static final int DELETES = 3_000;
  private static final int K = 10;

  /** The writers' work is fixed; this only stops a very slow machine from running for minutes. */
  private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(20);

  @TempDir Path dir;

  private final float[][] all = HnswTestData.gaussianMixture(INITIAL + ADDED, DIMENSION, 12, 23);
  private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
  private final Queue<String> violations = new ConcurrentLinkedQueue<>();

  /** Per id, the nanoTime at which its delete() had returned; MAX_VALUE while live. */
  private final AtomicLongArray deletedAt = new AtomicLongArray(INITIAL + ADDED);

  private final AtomicLong searches = new AtomicLong();

  @Test
  void searchesStayCorrectWhileAddingDeletingAndSaving() throws Exception {
    for (int i = 0; i < deletedAt.length(); i++) {
      deletedAt.set(i, Long.MAX_VALUE);
    }
    Path file = dir.resolve("s.vec");
    Path graphFile = dir.resolve("s.hnsw");
    VectorStore.create(file, Arrays.copyOfRange(all, 0, INITIAL));
    try (VectorStore store = VectorStore.open(file);
        HnswIndex index = new HnswIndex(store, 8, 60, Metric.L2)) {
      index.build(2);
      long deadline = System.nanoTime() + BUDGET_NANOS;
      AtomicBoolean writing = new AtomicBoolean(true);
      List<Thread> threads = new ArrayList<>();
      threads.add(worker("adder", () -> add(index, deadline)));
      threads.add(worker("deleter", () -> delete(index, deadline)));
      threads.add(worker("saver", () -> save(index, graphFile, writing)));
      for (int s = 0; s < 3; s++) {
        long seed = 100 + s;
        boolean batch = s == 2;
        threads.add(worker("searcher-" + s, () -> search(index, seed, batch, writing)));
      }
      threads.forEach(Thread::start);
      // the saver and searchers run until the adder and the deleter are done
      while (threads.get(0).isAlive() || threads.get(1).isAlive()) {
        threads.get(0).join(100);
        threads.get(1).join(100);
        if (!failures.isEmpty()) {
          break;
        }
      }
      writing.set(false);
      for (Thread thread : threads) {
        thread.join();
      }
      assertTrue(failures.isEmpty(), () -> "failures: " + failures + ", first: " + first());
      assertTrue(violations.isEmpty(), () -> violations.size() + " violations: " + first(5));
      long deleted = 0;
      for (int i = 0; i < deletedAt.length(); i++) {
        deleted += deletedAt.get(i) != Long.MAX_VALUE ? 1 : 0;
      }
      System.out.printf(
          "[hnsw] stress: %d searches, %d nodes, %d deleted%n",
          searches.get(), index.size(), deleted);
      assertTrue(searches.get() > 0);
      assertTrue(index.size() > INITIAL, "no add completed");
      assertEquals(deleted, index.stats().get("num_deleted"));
      index.save(graphFile);
      try (HnswIndex reopened = HnswIndex.open(file, graphFile)) {
        assertEquals(index.size(), reopened.size());
        for (int id = 0; id < index.size(); id++) {
          assertEquals(index.isDeleted(id), reopened.isDeleted(id), "id " + id);
        }
      }
    }
  }

  @Test
  void storeHandedOutBeforeAnAddStaysReadableAfterIt() throws Exception {
    Path file = dir.resolve("h.vec");
    VectorStore.create(file, Arrays.copyOfRange(all, 0, 200));
    try (VectorStore store = VectorStore.open(file);
        HnswIndex index = new HnswIndex(store, 8, 60, Metric.L2)) {
      index.build(1);
      index.add(Arrays.copyOfRange(all, 200, 210));
      // a reader on another thread took the store the index searches now; then an add swaps it
      VectorStore before = index.store();
      index.add(Arrays.copyOfRange(all, 210, 220));
      assertEquals(210, before.size());
      assertTrue(Arrays.equals(all[205], before.get(205)));
      assertEquals(220, index.store().size());
    }
  }

  private Thread worker(String name, ThrowingRunnable body) {
    Thread thread =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (Throwable t) {
                failures.add(t);
              }
            },
            "stress-" + name);
    thread.setDaemon(true);
    return thread;
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private void add(HnswIndex index, long deadline) throws Exception {
    for (int first = INITIAL; first < INITIAL + ADDED; first += BATCH) {
      if (System.nanoTime() > deadline || !failures.isEmpty()) {
        return;
      }
      long id = index.add(Arrays.copyOfRange(all, first, first + BATCH));
      assertEquals(first, id, "first id of the batch");
    }
  }

  private void delete(HnswIndex index, long deadline) {
    SplittableRandom random = new SplittableRandom(7);
    int done = 0;
    while (done < DELETES && System.nanoTime() <= deadline && failures.isEmpty()) {
      int id = random.nextInt((int) index.size());
      if (deletedAt.get(id) != Long.MAX_VALUE) {
        continue;
      }
      assertTrue(index.delete(id), "first delete of " + id);
      deletedAt.set(id, System.nanoTime());
      done++;
    }
  }

  private void save(HnswIndex index, Path graphFile, AtomicBoolean writing) throws Exception {
    while (writing.get() && failures.isEmpty()) {
      index.save(graphFile);
      // a saved graph may trail the store it was saved with: both must still open together
      try (HnswIndex opened = HnswIndex.open(index.store().path(), graphFile)) {
        assertTrue(opened.size() <= opened.store().size());
      }
    }
  }

  private void search(HnswIndex index, long seed, boolean batch, AtomicBoolean writing) {
    SplittableRandom random = new SplittableRandom(seed);
    while (writing.get() && failures.isEmpty()) {
      float[][] queries = new float[batch ? 4 : 1][];
      for (int q = 0; q < queries.length; q++) {
        // a stored vector, slightly moved: near neighbours that adds and deletes keep changing
        float[] base = all[random.nextInt(all.length)];
        queries[q] = base.clone();
        queries[q][0] += (float) random.nextGaussian() * 0.1f;
      }
      long started = System.nanoTime();
      List<List<Neighbor>> results =
          batch
              ? index.searchBatch(queries, K, 40)
              : List.of(index.search(queries[0], K, random.nextInt(K, 80)));
      long nodes = index.size();
      for (int q = 0; q < queries.length; q++) {
        check(queries[q], results.get(q), started, nodes);
      }
      // the store handed out before an add must stay readable after it
      VectorStore store = index.store();
      for (Neighbor n : results.get(0)) {
        if (n.id() < store.size() && !Arrays.equals(all[(int) n.id()], store.get(n.id()))) {
          violations.add("store() returned other contents for id " + n.id());
        }
      }
      searches.addAndGet(queries.length);
    }
  }

  private void check(float[] query, List<Neighbor> result, long started, long nodes) {
    if (result.size() != K) {
      violations.add("expected " + K + " results (live ids >> k), got " + result);
    }
    float previous = Float.NEGATIVE_INFINITY;
    for (Neighbor n : result) {
      long id = n.id();
      if (id < 0 || id >= nodes) {
        violations.add("id " + id + " outside [0, " + nodes + ")");
        continue;
      }
      if (deletedAt.get((int) id) < started) {
        violations.add("id " + id + " returned by a search that started after its delete");
      }
      float exact = Distance.calculate(query, all[(int) id], Metric.L2);
      if (Math.abs(exact - n.distance()) > 1e-4f * Math.max(1f, exact)) {
        violations.add("id " + id + " at " + n.distance() + ", its distance is " + exact);
      }
      if (n.distance() < previous) {
        violations.add("results not ascending: " + result);
      }
      previous = n.distance();
    }
  }

  private String first() {
    Throwable t = failures.peek();
    if (t == null) {
      return "none";
    }
    java.io.StringWriter out = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }

  private List<String> first(int n) {
    return violations.stream().limit(n).toList();
  }
}
