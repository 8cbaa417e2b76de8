package io.zerocopy.spark.source.write;

import io.zerocopy.spark.source.dataset.DatasetDirectory;
import io.zerocopy.spark.source.dataset.ShardEntry;
import io.zerocopy.spark.source.dataset.VecManifest;
import io.zerocopy.spark.source.write.VecWriteBuilder.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
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
 * write and, on overwrite, the previous dataset's shards. Until the rename, readers see the old
 * dataset.
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
    checkNoConcurrentChange(current);
    List<ShardEntry> shards = new ArrayList<>(base == null ? List.of() : base.shards());
    written.forEach(message -> shards.add(message.shard()));
    try {
      DuplicateIdCheck.check(directory, plan.idType(), plan.idColumn(), shards);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    VecManifest manifest = template.withShards(plan.writeId(), dimension, shards);
    try {
      directory.writeManifest(manifest);
    } catch (IOException e) {
      throw new UncheckedIOException(
          directory.location(DatasetDirectory.MANIFEST)
              + ": cannot write manifest: "
              + e.getMessage(),
          e);
    }
    manifestWritten = true;
    LOG.info(
        "committed vec dataset {} ({}): {} new shards, {} vectors in total, dimension {}",
        directory,
        mode.name().toLowerCase(),
        written.size(),
        manifest.count(),
        dimension);
    deleteUnreferenced(manifest, current.orElse(null));
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

  private void checkNoConcurrentChange(Optional<VecManifest> current) {
    String seen = existing == null ? null : existing.writeId();
    String now = current.map(VecManifest::writeId).orElse(null);
    if (mode == Mode.CREATE && now != null) {
      throw VecWriteBuilder.alreadyExists(plan.directory());
    }
    if (!Objects.equals(seen, now)) {
      throw new IllegalStateException(
          plan.directory()
              + " was changed by another write while this one ran (manifest "
              + seen
              + " became "
              + now
              + "); nothing was committed, retry the write");
    }
  }

  /** After the commit: best effort, never throws, since the new dataset is already visible. */
  private void deleteUnreferenced(VecManifest manifest, VecManifest previous) {
    Set<String> referenced = new HashSet<>();
    manifest.shards().forEach(shard -> referenced.addAll(shard.files()));
    Set<String> obsolete = new HashSet<>();
    if (previous != null) {
      previous.shards().forEach(shard -> obsolete.addAll(shard.files()));
    }
    try {
      for (String file : plan.directory().listFiles()) {
        if (file.contains(plan.writeId())) {
          obsolete.add(file); // failed, aborted or crashed attempts of this write
        }
      }
    } catch (UncheckedIOException e) {
      LOG.warn("cannot list {} to clean up", plan.directory(), e);
    }
    obsolete.removeAll(referenced);
    for (String file : obsolete) {
      plan.directory()
          .deleteQuietly(file)
          .ifPresent(e -> LOG.warn("cannot delete unreferenced file {}", file, e));
    }
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
    try {
      for (String file : plan.directory().listFiles()) {
        if (file.contains(plan.writeId())) {
          files.add(file);
        }
      }
    } catch (UncheckedIOException e) {
      LOG.warn("cannot list {} to clean up", plan.directory(), e);
    }
    for (String file : files) {
      plan.directory().deleteQuietly(file).ifPresent(e -> LOG.warn("cannot delete {}", file, e));
    }
  }
}
