package io.zerocopy.spark.index;

import io.zerocopy.engine.codes.QuantizedCodes;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.FileEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the HNSW graph of one shard inside a task, from its mapped {@code .vec} file, and saves it
 * atomically (temporary file, fsync, rename) under a name no manifest lists yet; with {@code
 * quantization=int8} also the shard's codes, the same way.
 */
public final class ShardIndexBuilder {

  private static final Logger LOG = LoggerFactory.getLogger(ShardIndexBuilder.class);

  private ShardIndexBuilder() {}

  /**
   * What a build produced: the {@code .hnsw} file's manifest entry, that of its codes (null
   * without), its build time (codes included) and threads.
   */
  public record Built(
      FileEntry entry, FileEntry codes, long buildNanos, int threads, String executor) {

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
   * The codes file of the index file {@code hnswFile} ({@code <name>.hnsw}): {@code <name>.i8} or
   * {@code <name>.pq}.
   */
  public static String codesFile(String hnswFile, IndexSpec.Quantization quantization) {
    String stem =
        hnswFile.endsWith(".hnsw") ? hnswFile.substring(0, hnswFile.length() - 5) : hnswFile;
    return stem + quantization.extension();
  }

  /** Every codes file an index file {@code hnswFile} may have, for clean-up. */
  public static List<String> codesFiles(String hnswFile) {
    return List.of(
        codesFile(hnswFile, IndexSpec.Quantization.INT8),
        codesFile(hnswFile, IndexSpec.Quantization.PQ));
  }

  /**
   * Builds the graph of {@code vec} (a local, committed {@code .vec} file) and writes it to {@code
   * target}, and, if the spec asks for codes, writes them to {@link #codesFile} of it; {@code
   * shard} only names the shard in logs.
   */
  public static Built build(Path vec, Path target, Metric metric, IndexSpec spec, String shard)
      throws IOException {
    KernelCheck.warnOnceIfScalar();
    int threads = threads(spec);
    String executor = executorId();
    long started = System.nanoTime();
    long count;
    int dimension;
    Path codesTarget = null;
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
      if (spec.quantization() != IndexSpec.Quantization.NONE) {
        codesTarget =
            target.resolveSibling(codesFile(target.getFileName().toString(), spec.quantization()));
        index.quantize(codesTarget, QuantizedCodes.Kind.parse(spec.quantization().id()));
      }
    }
    long nanos = System.nanoTime() - started;
    FileEntry entry = entry(target);
    FileEntry codes = codesTarget == null ? null : entry(codesTarget);
    LOG.info(
        "built HNSW index of shard {}: {} vectors of dimension {}, {} threads, {} s, {} bytes,"
            + " codes {}, executor {}",
        shard,
        count,
        dimension,
        threads,
        String.format(Locale.ROOT, "%.2f", nanos / 1e9),
        entry.bytes(),
        codes == null ? "none" : spec.quantization().id() + " " + codes.bytes() + " bytes",
        executor);
    return new Built(entry, codes, nanos, threads, executor);
  }

  private static FileEntry entry(Path file) throws IOException {
    return new FileEntry(
        file.getFileName().toString(), Files.size(file), DatasetDirectory.crc32c(file));
  }

  /** The Spark executor id of this JVM ("driver" in local mode), or "none" outside Spark. */
  public static String executorId() {
    SparkEnv env = SparkEnv.get();
    return env == null ? "none" : env.executorId();
  }
}
