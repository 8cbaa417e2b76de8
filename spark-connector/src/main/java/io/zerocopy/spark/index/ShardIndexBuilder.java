package io.zerocopy.spark.index;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.FileEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the HNSW graph of one shard inside a task, from its mapped {@code .vec} file, and saves it
 * atomically (temporary file, fsync, rename) under a name no manifest lists yet.
 */
public final class ShardIndexBuilder {

  private static final Logger LOG = LoggerFactory.getLogger(ShardIndexBuilder.class);

  private ShardIndexBuilder() {}

  /** What a build produced: the {@code .hnsw} file's manifest entry, its build time and threads. */
  public record Built(FileEntry entry, long buildNanos, int threads, String executor) {

    /** For the custom metric: at least 1 ms, so a built shard always counts. */
    public long buildMillis() {
      return Math.max(1, buildNanos / 1_000_000);
    }
  }

  /** The threads a task builds with: the spec's, else {@code spark.task.cpus}. */
  public static int threads(IndexSpec spec) {
    TaskContext context = TaskContext.get();
    return spec.threadsFor(context == null ? 1 : context.cpus());
  }

  /**
   * Builds the graph of {@code vec} (a local, committed {@code .vec} file) and writes it to {@code
   * target}; {@code shard} only names the shard in logs.
   */
  public static Built build(Path vec, Path target, Metric metric, IndexSpec spec, String shard)
      throws IOException {
    KernelCheck.warnOnceIfScalar();
    int threads = threads(spec);
    String executor = executorId();
    long started = System.nanoTime();
    long count;
    int dimension;
    try (VectorStore store = VectorStore.open(vec);
        HnswIndex index = new HnswIndex(store, spec.m(), spec.efConstruction(), metric)) {
      count = store.size();
      dimension = store.dimension();
      LOG.info(
          "building HNSW index of shard {}: {} vectors of dimension {}, metric {}, m {},"
              + " efConstruction {}, {} threads, executor {}",
          shard,
          count,
          dimension,
          metric.id(),
          spec.m(),
          spec.efConstruction(),
          threads,
          executor);
      index.build(threads);
      index.save(target);
    }
    long nanos = System.nanoTime() - started;
    FileEntry entry =
        new FileEntry(
            target.getFileName().toString(), Files.size(target), DatasetDirectory.crc32c(target));
    LOG.info(
        "built HNSW index of shard {}: {} vectors of dimension {}, {} threads, {} s, {} bytes,"
            + " executor {}",
        shard,
        count,
        dimension,
        threads,
        String.format(Locale.ROOT, "%.2f", nanos / 1e9),
        entry.bytes(),
        executor);
    return new Built(entry, nanos, threads, executor);
  }

  /** The Spark executor id of this JVM ("driver" in local mode), or "none" outside Spark. */
  public static String executorId() {
    SparkEnv env = SparkEnv.get();
    return env == null ? "none" : env.executorId();
  }
}
