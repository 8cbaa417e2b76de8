package io.zerocopy.spark.source.write;

import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ManifestCommit;
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
 * duplicate ids, no concurrent change), then writes {@code _manifest.json} atomically — the commit
 * — and only then deletes what no manifest references: files of failed or crashed attempts of this
 * write, and retired files past their retention. On overwrite, the previous dataset's shards are
 * retired, not deleted ({@link RetiredFiles}), so that a query planned before the commit can still
 * read them. Until the rename, readers see the old dataset.
 */
final class VecBatchWrite implements BatchWrite {

  private static final Logger LOG = LoggerFactory.getLogger(VecBatchWrite.class);

  private final WritePlan plan;
  private final Mode mode;
  private final VecManifest template;
  private final VecManifest existing;
  private final VecManifest base;
  private volatile boolean manifestWritten;

  /**
   * @param existing the dataset at the path when the write was planned, or null
   * @param base the dataset to append to (existing, in append mode), or null
   */
  VecBatchWrite(
      WritePlan plan, Mode mode, VecManifest template, VecManifest existing, VecManifest base) {
    this.plan = plan;
    this.mode = mode;
    this.template = template;
    this.existing = existing;
    this.base = base;
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
    int dimension = checkDimensions(written);
    Optional<VecManifest> current = directory.readManifest();
    if (mode == Mode.CREATE && current.isPresent()) {
      throw VecWriteBuilder.alreadyExists(directory);
    }
    ManifestCommit.requireUnchanged(
        directory, existing == null ? null : existing.writeId(), current, "this write");
    List<ShardEntry> shards = new ArrayList<>(base == null ? List.of() : base.shards());
    written.forEach(message -> shards.add(message.shard()));
    try {
      DuplicateIdCheck.check(directory, plan.idType(), plan.idColumn(), shards);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    VecManifest manifest =
        ManifestCommit.commit(
            directory,
            current.orElse(null),
            template.withShards(plan.writeId(), dimension, shards));
    manifestWritten = true;
    LOG.info(
        "committed vec dataset {} ({}): {} new shards, {} vectors in total, dimension {}",
        directory,
        mode.name().toLowerCase(),
        written.size(),
        manifest.count(),
        dimension);
    deleteUnreferenced(manifest);
  }

  private int checkDimensions(List<ShardCommitMessage> written) {
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
    manifest.shards().forEach(shard -> referenced.addAll(shard.files()));
    Set<String> obsolete = new HashSet<>(RetiredFiles.filesOf(plan.directory(), plan.writeId()));
    obsolete.removeAll(referenced);
    RetiredFiles.delete(plan.directory(), List.copyOf(obsolete));
  }

  @Override
  public void abort(WriterCommitMessage[] messages) {
    if (manifestWritten) {
      LOG.warn("abort after the manifest of {} was written: keeping it", plan.directory());
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
