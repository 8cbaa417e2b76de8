package io.zerocopy.spark.source.write;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ManifestCommit;
import io.zerocopy.spark.dataset.ManifestVersion;
import io.zerocopy.spark.dataset.RetiredFiles;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.source.write.VecWriteBuilder.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit protocol: tasks write uniquely named shard files; the driver checks them (dimension,
 * duplicate ids), then creates the next manifest version ({@link ManifestCommit}) — the commit —
 * and only then deletes what no manifest references: files of failed or crashed attempts of this
 * write, and retired files past their retention. An append that finds a newer version than it
 * planned on (another writer committed first) re-checks its rows against that version and commits
 * on top of it; an overwrite fails, naming both versions. On overwrite, the previous dataset's
 * shards are retired, not deleted ({@link RetiredFiles}), so that a query planned before the commit
 * can still read them. Until the version exists, readers see the old dataset; once it does, nothing
 * (a failed cleanup included) aborts the write.
 */
final class VecBatchWrite implements BatchWrite {

  private static final Logger LOG = LoggerFactory.getLogger(VecBatchWrite.class);

  private final WritePlan plan;
  private final Mode mode;
  private final VecManifest template;
  private final Metric requestedMetric;
  private final long plannedVersion;
  private volatile boolean committed;

  /**
   * @param requestedMetric the metric option, or null if not given
   * @param plannedVersion the manifest version at the path when the write was planned, or -1
   */
  VecBatchWrite(
      WritePlan plan,
      Mode mode,
      VecManifest template,
      Metric requestedMetric,
      long plannedVersion) {
    this.plan = plan;
    this.mode = mode;
    this.template = template;
    this.requestedMetric = requestedMetric;
    this.plannedVersion = plannedVersion;
  }

  @Override
  public DataWriterFactory createBatchWriterFactory(PhysicalWriteInfo info) {
    plan.directory().createDirectories();
    return new VecDataWriterFactory(plan);
  }

  @Override
  public boolean useCommitCoordinator() {
    return true; // one committed attempt per partition, even with speculation
  }

  @Override
  public void commit(WriterCommitMessage[] messages) {
    DatasetDirectory directory = plan.directory();
    List<ShardCommitMessage> written = new ArrayList<>();
    for (WriterCommitMessage message : messages) {
      if (message instanceof ShardCommitMessage shard && shard.shard() != null) {
        written.add(shard);
      }
    }
    String operation = "the " + mode.name().toLowerCase() + " of write " + plan.writeId();
    ManifestCommit.Committed commit =
        ManifestCommit.commit(directory, operation, newest -> next(newest, written, operation));
    committed = true;
    try {
      LOG.info(
          "committed vec dataset {} ({}) as manifest version {}: {} new shards, {} vectors in"
              + " total, dimension {}",
          directory,
          mode.name().toLowerCase(),
          commit.version(),
          written.size(),
          commit.manifest().count(),
          commit.manifest().dimension());
      deleteUnreferenced(commit.manifest());
    } catch (RuntimeException e) {
      LOG.warn("{}: committed, but the cleanup after it failed", directory, e);
    }
  }

  /** The manifest this write commits on top of {@code newest}, or an error if it cannot. */
  private VecManifest next(
      Optional<ManifestVersion> newest, List<ShardCommitMessage> written, String operation) {
    DatasetDirectory directory = plan.directory();
    VecManifest base = null;
    switch (mode) {
      case CREATE -> {
        if (newest.isPresent()) {
          throw VecWriteBuilder.alreadyExists(directory);
        }
      }
      case OVERWRITE -> {
        long now = newest.map(ManifestVersion::version).orElse(-1L);
        if (now != plannedVersion) {
          throw ManifestCommit.changedMeanwhile(directory, operation, plannedVersion, newest);
        }
      }
      case APPEND -> {
        if (newest.isEmpty() && plannedVersion >= 0) {
          throw ManifestCommit.changedMeanwhile(directory, operation, plannedVersion, newest);
        }
        if (newest.isPresent()) {
          base = newest.get().manifest();
          VecWriteBuilder.checkAppendable(
              base, directory, plan.idType(), plan.carriedSchema(), requestedMetric);
          VecWriteBuilder.checkClustering(base, directory, plan.centroids());
          if (plan.index() != null && base.metric() != plan.metric()) {
            throw new IllegalArgumentException(
                "cannot append to "
                    + directory
                    + ": its indexes were built with metric "
                    + plan.metric()
                    + ", but manifest version "
                    + newest.get().version()
                    + " (committed meanwhile) has metric "
                    + base.metric());
          }
        }
      }
    }
    int dimension = checkDimensions(base, written);
    List<ShardEntry> shards = new ArrayList<>(base == null ? List.of() : base.shards());
    written.forEach(message -> shards.add(message.shard()));
    try {
      DuplicateIdCheck.check(directory, plan.idType(), plan.idColumn(), shards);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return (base == null ? template : base)
        .withShards(plan.writeId(), dimension, shards, plan.centroids(), plan.boundaryReplicas());
  }

  private int checkDimensions(VecManifest base, List<ShardCommitMessage> written) {
    int dimension = base != null ? base.dimension() : 0;
    String witness = null;
    for (ShardCommitMessage message : written) {
      if (dimension == 0) {
        dimension = message.dimension();
        witness = message.firstId();
      } else if (message.dimension() != dimension) {
        throw new IllegalArgumentException(
            "vector column '"
                + plan.vectorColumn().name()
                + "': the row with id "
                + message.firstId()
                + " has dimension "
                + message.dimension()
                + ", but "
                + (witness == null
                    ? "the dataset has dimension " + dimension
                    : "the row with id " + witness + " has dimension " + dimension)
                + "; nothing was committed");
      }
    }
    return dimension;
  }

  /**
   * After the commit, best effort (the new dataset is already visible): files of failed, aborted or
   * crashed attempts of this write.
   */
  private void deleteUnreferenced(VecManifest manifest) {
    Set<String> referenced = new HashSet<>();
    referenced.addAll(manifest.files());
    Set<String> obsolete = new HashSet<>(RetiredFiles.filesOf(plan.directory(), plan.writeId()));
    obsolete.removeAll(referenced);
    RetiredFiles.delete(plan.directory(), List.copyOf(obsolete));
  }

  @Override
  public void abort(WriterCommitMessage[] messages) {
    if (committed) {
      LOG.warn("abort after {} was committed: keeping its files", plan.directory());
      return;
    }
    LOG.info("write to {} aborted: deleting its shard files", plan.directory());
    Set<String> files = new HashSet<>();
    for (WriterCommitMessage message : messages) {
      if (message instanceof ShardCommitMessage shard && shard.shard() != null) {
        files.addAll(shard.shard().files());
      }
    }
    files.addAll(RetiredFiles.filesOf(plan.directory(), plan.writeId()));
    RetiredFiles.delete(plan.directory(), List.copyOf(files));
  }
}
