package io.zerocopy.bench.hnsw;

import io.zerocopy.datasets.DatasetCache;
import io.zerocopy.datasets.Ivecs;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Exact k nearest neighbours of the queries, computed once with {@link BruteForce} and cached as
 * {@code .ivecs} under {@code <cache>/ground-truth/}, keyed by the files' names, sizes and
 * modification times, the metric and k.
 */
final class GroundTruth {

  private GroundTruth() {}

  static int[][] load(
      VectorStore store, Path queriesFile, float[][] queries, Metric metric, int k, int threads)
      throws IOException {
    Path train = store.path();
    String key =
        String.format(
            "%s-%d-%x--%s-%d-%x--%d-%s-k%d.ivecs",
            stem(train),
            Files.size(train),
            Files.getLastModifiedTime(train).toMillis(),
            stem(queriesFile),
            Files.size(queriesFile),
            Files.getLastModifiedTime(queriesFile).toMillis(),
            queries.length,
            metric.id(),
            k);
    Path cached = DatasetCache.root().resolve("ground-truth").resolve(key);
    if (Files.isRegularFile(cached)) {
      int[][] rows = Ivecs.read(cached);
      if (rows.length == queries.length) {
        return rows;
      }
    }
    long started = System.nanoTime();
    List<List<Neighbor>> exact = BruteForce.searchBatch(store, queries, k, metric, threads);
    int[][] rows = new int[queries.length][];
    for (int q = 0; q < queries.length; q++) {
      List<Neighbor> row = exact.get(q);
      rows[q] = new int[row.size()];
      for (int i = 0; i < row.size(); i++) {
        rows[q][i] = (int) row.get(i).id();
      }
    }
    Files.createDirectories(cached.getParent());
    Path tmp = cached.resolveSibling(cached.getFileName() + ".tmp");
    Ivecs.write(tmp, rows);
    Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    System.err.printf(
        "ground truth: %d queries x k=%d in %.1f s -> %s%n",
        queries.length, k, (System.nanoTime() - started) / 1e9, cached);
    return rows;
  }

  private static String stem(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".vec") ? name.substring(0, name.length() - 4) : name;
  }
}
