package io.zerocopy.spark;

import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ManifestCommit;
import io.zerocopy.spark.dataset.ManifestVersion;
import io.zerocopy.spark.dataset.RetiredFiles;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.index.IndexBuild;
import io.zerocopy.spark.index.IndexBuildResult;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Operations on whole vec datasets that are not a read or a write. */
public final class VecDatasets {

  private static final Logger LOG = LoggerFactory.getLogger(VecDatasets.class);

  /** Options of {@link #buildIndex}. */
  public static final Set<String> BUILD_INDEX_OPTIONS = IndexBuild.OPTIONS;

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
    return IndexBuild.run(spark, path, options);
  }

  /**
   * Deletes what the dataset at {@code path} no longer needs: files its manifest retired longer
   * than {@code retention} ago, and files of failed or crashed writes and index builds (named like
   * shard files, or their hidden temporaries {@code .part-….tmp}, listed by no manifest) last
   * modified longer than {@code retention} ago. Also manifest versions replaced longer than {@code
   * retention} ago (never the newest) and hidden temporaries of commits that crashed before their
   * version was created. No manifest is written, so vacuum never races a commit; a retired file
   * that is gone is dropped from the list by the next commit. Do not vacuum with a retention
   * shorter than the longest write: its uncommitted files would be deleted.
   *
   * @param retention a duration such as "1h" or "0"; null: {@value RetiredFiles#RETENTION_CONF}
   * @return the names of the deleted files
   */
  public static List<String> vacuum(SparkSession spark, String path, String retention) {
    long millis =
        retention == null ? RetiredFiles.retentionMillis() : RetiredFiles.parseRetention(retention);
    DatasetDirectory directory = DatasetDirectory.of(path);
    ManifestVersion newest = directory.requireVersion();
    VecManifest manifest = newest.manifest();
    long now = System.currentTimeMillis();
    List<String> deleted =
        new ArrayList<>(RetiredFiles.plan(manifest, manifest, now, millis).expired());
    Set<String> known = new HashSet<>();
    known.add(DatasetDirectory.MANIFEST);
    known.addAll(manifest.files());
    manifest.retired().forEach(file -> known.add(file.file()));
    for (String file : directory.listFiles()) {
      // shard files of failed writes, and hidden temporaries of crashed writers and builds:
      // .part-….vec.<uuid>.tmp, .part-….ids.arrow.tmp, .part-….hnsw.<uuid>.tmp, ._manifest.json…
      boolean temporary =
          (file.startsWith(".part-") || file.startsWith("." + DatasetDirectory.MANIFEST))
              && file.endsWith(".tmp");
      boolean ours = file.startsWith("part-") || temporary;
      if (ours && !known.contains(file) && now - directory.lastModified(file) >= millis) {
        deleted.add(file);
      }
    }
    RetiredFiles.delete(directory, deleted);
    ManifestCommit.retireVersions(directory, newest.version(), now, millis);
    deleted.addAll(directory.deleteVersionTemporaries(now, millis));
    LOG.info("vacuum of {} deleted {} files", directory, deleted.size());
    return deleted;
  }
}
