package io.zerocopy.examples;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The seed README's "Basic Usage" in Java, step for step as {@code examples/basic_usage.py}: 10,000
 * random 128-d vectors into a {@code .vec} file, mapped, an HNSW index (m=16, ef_construction=200,
 * L2), one search for k=10.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... io.zerocopy.examples.BasicUsage [directory]
 * </pre>
 */
public final class BasicUsage {

  private BasicUsage() {}

  public static void main(String[] args) throws IOException {
    run(Path.of(args.length > 0 ? args[0] : "."), new Random(), System.out);
  }

  /** Runs the example with its files in {@code directory}; returns the neighbours it printed. */
  public static List<Neighbor> run(Path directory, Random random, PrintStream out)
      throws IOException {
    // Create random vectors
    float[][] vectors = gaussian(random, 10_000, 128);

    // Create and save vector store
    Path path = directory.resolve("vectors.vec");
    VectorStore.create(path, vectors);

    // Load vector store (memory-mapped: the vectors stay in the file)
    try (VectorStore store = VectorStore.open(path);
        // Build HNSW index
        HnswIndex index = new HnswIndex(store, 16, 200, Metric.L2)) {
      index.build();

      // Search for nearest neighbors
      float[] query = gaussian(random, 1, 128)[0];
      List<Neighbor> results = index.search(query, 10);

      // Results: (index, distance), nearest first
      for (Neighbor n : results) {
        out.printf(Locale.ROOT, "Vector %d: distance=%.4f%n", n.id(), n.distance());
      }
      return results;
    }
  }

  private static float[][] gaussian(Random random, int n, int dimension) {
    float[][] vectors = new float[n][dimension];
    for (float[] v : vectors) {
      for (int i = 0; i < dimension; i++) {
        v[i] = (float) random.nextGaussian();
      }
    }
    return vectors;
  }
}
