package io.zerocopy.spark.join;

import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * What a join did, as named accumulators: they appear per stage and per task in the Spark UI's
 * Stages tab (the SQL tab shows only metrics of physical operators, and our joins run inside
 * Spark's own {@code MapPartitions}).
 *
 * <ul>
 *   <li>{@value #QUERIES}: query vectors searched
 *   <li>{@value #SHARD_SEARCHES}: (query, shard) searches
 *   <li>{@value #DISTANCES}: distance computations of exact searches (the HNSW search does not
 *       count its own)
 * </ul>
 */
record JoinMetrics(
    LongAccumulator queries, LongAccumulator shardSearches, LongAccumulator distances)
    implements Serializable {

  static final String QUERIES = "zero-copy join: queries";
  static final String SHARD_SEARCHES = "zero-copy join: shard searches";
  static final String DISTANCES = "zero-copy join: exact distance computations";

  static JoinMetrics register(SparkContext context) {
    return new JoinMetrics(
        context.longAccumulator(QUERIES),
        context.longAccumulator(SHARD_SEARCHES),
        context.longAccumulator(DISTANCES));
  }
}
