package io.zerocopy.spark.source.write;

import io.zerocopy.spark.dataset.ShardEntry;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/**
 * What a committed task wrote: its shard ({@code null} if the task had no rows), the id of its
 * first row and its dimension, so the driver can name rows when shards disagree.
 */
public record ShardCommitMessage(int partitionId, ShardEntry shard, String firstId, int dimension)
    implements WriterCommitMessage {}
