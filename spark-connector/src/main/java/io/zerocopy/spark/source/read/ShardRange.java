package io.zerocopy.spark.source.read;

import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import org.apache.spark.sql.connector.read.InputPartition;

/**
 * One input partition: Arrow batches {@code [firstBatch, firstBatch + batches)} of a shard, that is
 * rows {@code [firstBatch × batchRows, …)} of both its files, up to the shard's own rows (its
 * boundary replicas are not read).
 */
record ShardRange(
    DatasetDirectory directory, ShardEntry shard, int dimension, int firstBatch, int batches)
    implements InputPartition {

  long firstRow() {
    return (long) firstBatch * shard.batchRows();
  }

  /** The shard's own rows in batch {@code index} (the last batch may be short). */
  int rowsInBatch(int index) {
    long first = (long) index * shard.batchRows();
    return (int) Math.min(shard.batchRows(), shard.rows() - first);
  }
}
