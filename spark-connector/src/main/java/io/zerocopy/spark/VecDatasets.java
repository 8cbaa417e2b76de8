package io.zerocopy.spark;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.FileEntry;
import io.zerocopy.spark.dataset.RetiredFiles;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.index.IndexBuildResult;
import io.zerocopy.spark.index.IndexBuildSource;
import io.zerocopy.spark.index.IndexSpec;
import io.zerocopy.spark.options.OptionParsing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Operations on whole vec datasets that are not a read or a write. */
public final class VecDatasets {

  private static final Logger LOG = LoggerFactory.getLogger(VecDatasets.class);

  /** Options of {@link #buildIndex}. */
  public static final Set<String> BUILD_INDEX_OPTIONS =
      Set.of("m", "efConstruction", "indexThreads", "metric");

  private VecDatasets() {}

  /**
   * Builds (or rebuilds) the HNSW index of every shard of the dataset at {@code path} as a Spark
   * job, one task per shard on the executors, then commits a new manifest that lists the {@code
   * .hnsw} files, atomically. Until then readers see the dataset as it was; a failed job leaves
   * nothing. Options: {@code m} (16), {@code efConstruction} (200), {@code indexThreads} (default:
   * {@code spark.task.cpus}), {@code metric} (must be the dataset's, if given).
   *
   * @return the committed manifest and every shard's build (time, threads, executor)
   */
  public static IndexBuildResult buildIndex(
      SparkSession spark, String path, Map<String, String> options) {
    CaseInsensitiveStringMap parsed =
        new CaseInsensitiveStringMap(options == null ? Map.of() : options);
    OptionParsing.rejectUnknown(parsed, BUILD_INDEX_OPTIONS, "buildIndex");
    IndexSpec spec =
        new IndexSpec(
            OptionParsing.intOption(parsed, "m", IndexSpec.DEFAULT_M, 2, IndexSpec.MAX_M),
            OptionParsing.intOption(
                parsed,
                "efConstruction",
                IndexSpec.DEFAULT_EF_CONSTRUCTION,
                1,
                IndexSpec.MAX_EF_CONSTRUCTION),
            OptionParsing.intOption(parsed, "indexThreads", 0, 0, 1024));
    DatasetDirectory directory = DatasetDirectory.of(path);
    VecManifest manifest = directory.requireManifest();
    if (parsed.containsKey("metric")) {
      Metric metric;
      try {
        metric = Metric.parse(parsed.get("metric"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("option 'metric': " + e.getMessage(), e);
      }
      if (!metric.id().equals(manifest.metric())) {
        throw new IllegalArgumentException(
            "option 'metric'="
                + metric.id()
                + ": the dataset "
                + directory
                + " has metric "
                + manifest.metric()
                + ", which its index must use");
      }
    }
    if (manifest.shards().isEmpty()) {
      return new IndexBuildResult(manifest, List.of());
    }
    String buildId = UUID.randomUUID().toString();
    List<Row> rows;
    try {
      rows =
          spark
              .read()
              .format(IndexBuildSource.class.getName())
              .option("path", path)
              .option("buildId", buildId)
              .option("writeId", manifest.writeId())
              .option("m", spec.m())
              .option("efConstruction", spec.efConstruction())
              .option("indexThreads", spec.threads())
              .load()
              .collectAsList();
      return commit(directory, manifest, buildId, rows);
    } catch (RuntimeException e) {
      deleteBuildFiles(directory, buildId, Set.of());
      throw e;
    }
  }

  private static IndexBuildResult commit(
      DatasetDirectory directory, VecManifest planned, String buildId, List<Row> rows) {
    Map<String, FileEntry> built = new HashMap<>();
    for (Row row : rows) {
      built.put(row.getString(0), new FileEntry(row.getString(1), row.getLong(2), row.getLong(3)));
    }
    VecManifest current = directory.requireManifest();
    if (!current.writeId().equals(planned.writeId())) {
      throw new IllegalStateException(
          directory
              + " was changed by another write while its index was built (manifest "
              + planned.writeId()
              + " became "
              + current.writeId()
              + "); nothing was committed, retry");
    }
    List<ShardEntry> shards = new ArrayList<>();
    for (ShardEntry shard : current.shards()) {
      FileEntry index = built.get(shard.name());
      if (index == null) {
        throw new IllegalStateException("no index was built for shard " + shard.name());
      }
      shards.add(
          new ShardEntry(
              shard.name(), shard.count(), shard.batchRows(), shard.vec(), shard.ids(), index));
    }
    VecManifest next = current.withShards(buildId, current.dimension(), shards);
    RetiredFiles.Plan retire =
        RetiredFiles.plan(
            current, next, System.currentTimeMillis(), RetiredFiles.retentionMillis());
    next = next.withRetired(retire.kept());
    try {
      directory.writeManifest(next);
    } catch (IOException e) {
      throw new UncheckedIOException(
          directory.location(DatasetDirectory.MANIFEST)
              + ": cannot write manifest: "
              + e.getMessage(),
          e);
    }
    long nanos = rows.stream().mapToLong(row -> row.getLong(4)).sum();
    LOG.info(
        "committed HNSW indexes of {} shards of {} ({} s of build time in total)",
        shards.size(),
        directory,
        String.format("%.2f", nanos / 1e9));
    Set<String> keep = new HashSet<>();
    built.values().forEach(entry -> keep.add(entry.file()));
    deleteBuildFiles(directory, buildId, keep);
    RetiredFiles.delete(directory, retire.expired());
    List<IndexBuildResult.ShardBuild> builds = new ArrayList<>();
    for (Row row : rows) {
      builds.add(
          new IndexBuildResult.ShardBuild(
              row.getString(0),
              row.getString(1),
              row.getLong(2),
              row.getLong(4),
              row.getInt(5),
              row.getString(6)));
    }
    return new IndexBuildResult(next, builds);
  }

  /**
   * Deletes what the dataset at {@code path} no longer needs: files its manifest retired longer
   * than {@code retention} ago, and files of failed or crashed writes (named like shard files or
   * temporary manifests, listed by no manifest) last modified longer than {@code retention} ago.
   * The manifest itself is not rewritten, so vacuum never races a commit; a retired file that is
   * gone is dropped from the list by the next commit. Do not vacuum with a retention shorter than
   * the longest write: its uncommitted files would be deleted.
   *
   * @param retention a duration such as "1h" or "0"; null: {@value RetiredFiles#RETENTION_CONF}
   * @return the names of the deleted files
   */
  public static List<String> vacuum(SparkSession spark, String path, String retention) {
    long millis =
        retention == null ? RetiredFiles.retentionMillis() : RetiredFiles.parseRetention(retention);
    DatasetDirectory directory = DatasetDirectory.of(path);
    VecManifest manifest = directory.requireManifest();
    long now = System.currentTimeMillis();
    List<String> deleted =
        new ArrayList<>(RetiredFiles.plan(manifest, manifest, now, millis).expired());
    Set<String> known = new HashSet<>();
    known.add(DatasetDirectory.MANIFEST);
    manifest.shards().forEach(shard -> known.addAll(shard.files()));
    manifest.retired().forEach(file -> known.add(file.file()));
    for (String file : directory.listFiles()) {
      boolean ours = file.startsWith("part-") || (file.startsWith("." + DatasetDirectory.MANIFEST));
      if (ours && !known.contains(file) && now - directory.lastModified(file) >= millis) {
        deleted.add(file);
      }
    }
    RetiredFiles.delete(directory, deleted);
    LOG.info("vacuum of {} deleted {} files", directory, deleted.size());
    return deleted;
  }

  /** Files of this build that no manifest lists: failed, retried or speculative attempts. */
  private static void deleteBuildFiles(
      DatasetDirectory directory, String buildId, Set<String> keep) {
    try {
      for (String file : directory.listFiles()) {
        if (file.contains(buildId) && !keep.contains(file)) {
          directory
              .deleteQuietly(file)
              .ifPresent(e -> LOG.warn("cannot delete unreferenced file {}", file, e));
        }
      }
    } catch (UncheckedIOException e) {
      LOG.warn("cannot list {} to clean up", directory, e);
    }
  }
}
