package io.zerocopy.spark.index;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.FileEntry;
import io.zerocopy.spark.dataset.ManifestCommit;
import io.zerocopy.spark.dataset.ManifestVersion;
import io.zerocopy.spark.dataset.RetiredFiles;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.options.OptionParsing;
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

/**
 * Builds the HNSW index of every shard of an existing dataset as a Spark job ({@link
 * IndexBuildSource}: one task per shard on the executors), then commits a manifest that lists the
 * {@code .hnsw} files ({@link ManifestCommit}). Users reach it as {@code VecDatasets.buildIndex}.
 */
public final class IndexBuild {

  private static final Logger LOG = LoggerFactory.getLogger(IndexBuild.class);

  private IndexBuild() {}

  /** Options of {@link #run}. */
  public static final Set<String> OPTIONS =
      Set.of(
          IndexSpec.M,
          IndexSpec.EF_CONSTRUCTION,
          IndexSpec.INDEX_THREADS,
          IndexSpec.QUANTIZATION,
          "metric");

  /**
   * Builds (or rebuilds) the HNSW index of every shard of the dataset at {@code path} as a Spark
   * job, one task per shard on the executors, then commits a new manifest that lists the {@code
   * .hnsw} files, atomically. Until then readers see the dataset as it was; a failed job leaves
   * nothing. Options: {@code m} (16), {@code efConstruction} (200), {@code indexThreads} (default:
   * {@code spark.task.cpus}), {@code quantization} (none, or int8: also the shards' codes, which
   * searches then walk on), {@code metric} (must be the dataset's, if given).
   *
   * @return the committed manifest and every shard's build (time, threads, executor)
   */
  public static IndexBuildResult run(SparkSession spark, String path, Map<String, String> options) {
    CaseInsensitiveStringMap parsed =
        new CaseInsensitiveStringMap(options == null ? Map.of() : options);
    OptionParsing.rejectUnknown(parsed, OPTIONS, "buildIndex");
    IndexSpec spec = IndexSpec.parse(parsed);
    DatasetDirectory directory = DatasetDirectory.of(path);
    ManifestVersion planned = directory.requireVersion();
    VecManifest manifest = planned.manifest();
    if (parsed.containsKey("metric")) {
      Metric metric;
      try {
        metric = Metric.parse(parsed.get("metric"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("option 'metric': " + e.getMessage(), e);
      }
      if (metric != manifest.metric()) {
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
              .option(IndexBuildSource.WRITE_ID, manifest.writeId())
              .option(IndexBuildSource.VERSION, planned.version())
              .option("m", spec.m())
              .option("efConstruction", spec.efConstruction())
              .option("indexThreads", spec.threads())
              .option(IndexSpec.QUANTIZATION, spec.quantization().id())
              .load()
              .collectAsList();
    } catch (RuntimeException e) {
      deleteBuildFiles(directory, buildId, Set.of());
      throw e;
    }
    return commit(directory, planned, buildId, rows);
  }

  /**
   * Commits the built indexes: onto the version the build was planned on, or, if another commit
   * came first, onto the newest version as long as every shard the build indexed is still in it (an
   * append meanwhile: its new shards keep what they have). A shard that is gone (an overwrite
   * meanwhile) fails the build, naming both versions, and its files are deleted.
   */
  private static IndexBuildResult commit(
      DatasetDirectory directory, ManifestVersion planned, String buildId, List<Row> rows) {
    Map<String, FileEntry> built = new HashMap<>();
    Map<String, FileEntry> codes = new HashMap<>();
    for (Row row : rows) {
      built.put(row.getString(0), new FileEntry(row.getString(1), row.getLong(2), row.getLong(3)));
      if (!row.isNullAt(7)) {
        codes.put(
            row.getString(0), new FileEntry(row.getString(7), row.getLong(8), row.getLong(9)));
      }
    }
    String operation = "the index build " + buildId;
    ManifestCommit.Committed commit;
    try {
      commit =
          ManifestCommit.commit(
              directory,
              operation,
              newest -> {
                if (newest.isEmpty()) {
                  throw ManifestCommit.changedMeanwhile(
                      directory, operation, planned.version(), newest);
                }
                VecManifest current = newest.get().manifest();
                Map<String, ShardEntry> byName = new HashMap<>();
                current.shards().forEach(shard -> byName.put(shard.name(), shard));
                for (ShardEntry shard : planned.manifest().shards()) {
                  ShardEntry now = byName.get(shard.name());
                  if (now == null || !now.vec().equals(shard.vec())) {
                    throw ManifestCommit.changedMeanwhile(
                        directory, operation, planned.version(), newest);
                  }
                  if (!built.containsKey(shard.name())) {
                    throw new IllegalStateException("no index was built for shard " + shard.name());
                  }
                }
                List<ShardEntry> shards = new ArrayList<>();
                for (ShardEntry shard : current.shards()) {
                  FileEntry index = built.get(shard.name());
                  shards.add(
                      index == null ? shard : shard.withIndex(index, codes.get(shard.name())));
                }
                return current.withShards(buildId, current.dimension(), shards);
              });
    } catch (RuntimeException e) {
      deleteBuildFiles(directory, buildId, Set.of());
      throw e;
    }
    VecManifest next = commit.manifest();
    try {
      LOG.info(
          "committed HNSW indexes of {} shards of {} as manifest version {}",
          built.size(),
          directory,
          commit.version());
      Set<String> keep = new HashSet<>();
      built.values().forEach(entry -> keep.add(entry.file()));
      codes.values().forEach(entry -> keep.add(entry.file()));
      deleteBuildFiles(directory, buildId, keep);
    } catch (RuntimeException e) {
      LOG.warn("{}: indexes committed, but the cleanup after it failed", directory, e);
    }
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

  /** Files of this build that no manifest lists: failed, retried or speculative attempts. */
  private static void deleteBuildFiles(
      DatasetDirectory directory, String buildId, Set<String> keep) {
    List<String> leftovers = RetiredFiles.filesOf(directory, buildId);
    leftovers.removeAll(keep);
    RetiredFiles.delete(directory, leftovers);
  }
}
