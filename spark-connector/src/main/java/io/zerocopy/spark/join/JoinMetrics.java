package io.zerocopy.spark.join;

import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.metric.SQLMetrics;

/**
 * What a join did, as SQL metrics: the Spark UI's SQL tab shows them on the join's {@code
 * ZeroCopyJoinMetrics} node ({@link JoinMetricsExec}), and each stage lists them too.
 *
 * <ul>
 *   <li>{@value #QUERIES}: query vectors searched
 *   <li>{@value #SHARD_SEARCHES}: (query, shard) searches
 *   <li>{@value #DISTANCES}: distance computations of exact searches (the HNSW search does not
 *       count its own)
 * </ul>
 */
record JoinMetrics(SQLMetric queries, SQLMetric shardSearches, SQLMetric distances)
    implements Serializable {

  static final String QUERIES = "zero-copy join: queries";
  static final String SHARD_SEARCHES = "zero-copy join: shard searches";
  static final String DISTANCES = "zero-copy join: exact distance computations";

  static JoinMetrics register(SparkContext context) {
    return new JoinMetrics(
        SQLMetrics.createMetric(context, QUERIES),
        SQLMetrics.createMetric(context, SHARD_SEARCHES),
        SQLMetrics.createMetric(context, DISTANCES));
  }
}
