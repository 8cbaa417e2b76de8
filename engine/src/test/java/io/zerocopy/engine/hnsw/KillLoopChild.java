package io.zerocopy.engine.hnsw;

import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.engine.store.VectorStoreWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The writer that {@link KillLoopTest} kills with SIGKILL: it recovers whatever the last kill left,
 * prints "ready", then writes in a loop, printing "begin X" before each commit and "committed X"
 * after it. Vector contents are a function of their id (and of the step for {@code vec}), so the
 * parent can check every byte it finds against the states the child announced.
 */
final class KillLoopChild {

  static final int DIMENSION = 16;
  static final int M = 8;
  static final int EF_CONSTRUCTION = 40;

  /** The deletion order of the {@code delete} scenario: a fixed permutation of the ids. */
  static int[] deletionOrder(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Random random = new Random(99);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** Component {@code j} of vector {@code id}: a hash in [-1, 1), exact in float. */
  static float value(long id, int j) {
    long h = id * 0x9E3779B97F4A7C15L + j * 0xC2B2AE3D27D4EB4FL;
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 32;
    return (h >>> 40) / (float) (1 << 23) - 1f;
  }

  static float[] vector(long id) {
    float[] v = new float[DIMENSION];
    for (int j = 0; j < DIMENSION; j++) {
      v[j] = value(id, j);
    }
    return v;
  }

  static float[][] vectors(long first, int count) {
    float[][] out = new float[count][];
    for (int i = 0; i < count; i++) {
      out[i] = vector(first + i);
    }
    return out;
  }

  /** Vector {@code i} of the file written at step {@code step} of the {@code vec} scenario. */
  static float[] stepVector(int step, int i) {
    float[] v = vector(step * 100_003L + i);
    v[0] = step;
    return v;
  }

  static int stepSize(int step) {
    return 500 + (step % 7) * 400;
  }

  public static void main(String[] args) throws IOException {
    String scenario = args[0];
    Path dir = Path.of(args[1]);
    Random random = new Random(ProcessHandle.current().pid());
    switch (scenario) {
      case "vec" -> writeFiles(dir.resolve("w.vec"));
      case "append" -> append(dir.resolve("a.vec"), random);
      case "delete" -> delete(dir.resolve("d.vec"), dir.resolve("d.hnsw"), random);
      case "add" -> add(dir.resolve("h.vec"), dir.resolve("h.hnsw"), random);
      default -> throw new IllegalArgumentException("unknown scenario " + scenario);
    }
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /** Rewrites the whole file at every step through VectorStoreWriter's temp file and rename. */
  private static void writeFiles(Path target) throws IOException {
    int step = 0;
    if (Files.exists(target)) {
      try (VectorStore store = VectorStore.open(target)) {
        step = (int) store.get(0)[0];
      }
    }
    say("ready");
    while (true) {
      step++;
      say("begin " + step);
      try (VectorStoreWriter writer = VectorStoreWriter.create(target, DIMENSION)) {
        for (int i = 0; i < stepSize(step); i++) {
          writer.append(stepVector(step, i));
        }
        writer.commit();
      }
      say("committed " + step);
    }
  }

  /** Appends batches in place; restarting here also checks that open survives the last kill. */
  private static void append(Path target, Random random) throws IOException {
    long count;
    try (VectorStore store = VectorStore.open(target)) {
      count = store.size();
    }
    say("ready");
    while (true) {
      int batch = 1 + random.nextInt(300);
      say("begin " + (count + batch));
      count = VectorStore.append(target, vectors(count, batch));
      say("committed " + count);
    }
  }

  /** Deletes ids in a fixed order and saves the graph after each few. */
  private static void delete(Path vectors, Path graph, Random random) throws IOException {
    try (HnswIndex index = HnswIndex.open(vectors, graph)) {
      int[] order = deletionOrder((int) index.size());
      long deleted = (Long) index.stats().get("num_deleted");
      say("ready");
      while (deleted + 5 < order.length) {
        int batch = 1 + random.nextInt(5);
        for (int i = 0; i < batch; i++) {
          index.delete(order[(int) deleted++]);
        }
        say("begin " + deleted);
        index.save(graph);
        say("committed " + deleted);
      }
    }
  }

  /** Adds batches (the .vec commits first) and saves the graph after each. */
  private static void add(Path vectors, Path graph, Random random) throws IOException {
    try (HnswIndex index = HnswIndex.open(vectors, graph)) {
      long count = index.store().size();
      say("ready");
      while (true) {
        int batch = 1 + random.nextInt(20);
        say("begin-add " + (count + batch));
        index.add(vectors(count, batch));
        count += batch;
        say("added " + count);
        say("begin-save " + count);
        index.save(graph);
        say("saved " + count);
      }
    }
  }
}
