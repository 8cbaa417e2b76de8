package io.zerocopy.spark.source.read;

import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import org.apache.spark.sql.connector.read.InputPartition;

/**
 * One input partition: Arrow batches {@code [firstBatch, firstBatch + batches)} of a shard, that is
 * rows {@code [firstBatch × batchRows, …)} of both its files.
 */
record ShardRange(
    DatasetDirectory directory, ShardEntry shard, int dimension, int firstBatch, int batches)
    implements InputPartition {

  long firstRow() {
    return (long) firstBatch * shard.batchRows();
  }

  /** Rows in batch {@code index} of the shard (the last batch may be short). */
  int rowsInBatch(int index) {
    long first = (long) index * shard.batchRows();
    return (int) Math.min(shard.batchRows(), shard.count() - first);
  }
}
