package io.zerocopy.spark.source.read;

import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.FileEntry;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.ShardMismatchException;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.types.StructType;

/**
 * A columnar scan of the shards the manifest lists: at least one input partition per shard, more
 * when a shard has more than {@code rowsPerPartition} rows. File sizes are checked here, on the
 * driver, before any task starts.
 */
final class VecScan implements Scan, Batch {

  private final DatasetDirectory directory;
  private final VecManifest manifest;
  private final VecReadOptions options;
  private final StructType schema;

  VecScan(
      DatasetDirectory directory, VecManifest manifest, VecReadOptions options, StructType schema) {
    this.directory = directory;
    this.manifest = manifest;
    this.options = options;
    this.schema = schema;
  }

  @Override
  public StructType readSchema() {
    return schema;
  }

  @Override
  public String description() {
    return "vec dataset "
        + directory
        + " ["
        + String.join(", ", schema.fieldNames())
        + "], "
        + manifest.shards().size()
        + " shards";
  }

  @Override
  public Batch toBatch() {
    return this;
  }

  @Override
  public InputPartition[] planInputPartitions() {
    List<InputPartition> partitions = new ArrayList<>();
    for (ShardEntry shard : manifest.shards()) {
      checkSize(directory, shard.vec());
      checkSize(directory, shard.ids());
      // a shard's own rows come first, its boundary replicas (not read) after them
      int batchCount = (int) ((shard.rows() + shard.batchRows() - 1) / shard.batchRows());
      // ceil(rowsPerPartition / batchRows) without overflow (rowsPerPartition may be near 2^63),
      // at most the shard's batches
      long rows = options.rowsPerPartition();
      long batchesPerPartition =
          Math.max(
              1,
              Math.min(
                  batchCount, rows / shard.batchRows() + (rows % shard.batchRows() == 0 ? 0 : 1)));
      for (int first = 0; first < batchCount; first += (int) batchesPerPartition) {
        int batches = (int) Math.min(batchesPerPartition, batchCount - first);
        partitions.add(new ShardRange(directory, shard, manifest.dimension(), first, batches));
      }
    }
    return partitions.toArray(new InputPartition[0]);
  }

  /** The file must exist with exactly the size the manifest recorded. */
  static void checkSize(DatasetDirectory directory, FileEntry entry) {
    try {
      long size = directory.size(entry.file());
      if (size != entry.bytes()) {
        directory.localFile(entry, false); // throws, naming the file and both sizes
      }
    } catch (ShardMismatchException e) {
      throw new IllegalStateException(e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(
          directory.location(entry.file()) + ": cannot read size: " + e.getMessage(), e);
    }
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    return new VecPartitionReaderFactory(schema, options.verifyChecksums());
  }

  @Override
  public CustomMetric[] supportedCustomMetrics() {
    return new CustomMetric[] {new VecReadMetrics.VectorsRead()};
  }
}
