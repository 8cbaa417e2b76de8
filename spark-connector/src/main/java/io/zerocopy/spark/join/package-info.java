/**
 * Batch nearest-neighbour joins against {@code vec} datasets.
 *
 * <ul>
 *   <li>{@link io.zerocopy.spark.join.KnnJoin#knnJoin}: the DataFrame API, strategies {@code
 *       replicated} (every task searches every shard for its block of queries; no shuffle) and
 *       {@code partitioned} (one task per query partition × shard, top-k merged per query through
 *       one shuffle), HNSW or exact;
 *   <li>{@link io.zerocopy.spark.join.VecSqlFunctions}: {@code vec_distance} and {@code vec_knn};
 *   <li>{@link io.zerocopy.spark.join.NearestByJoinRule}: Spark 4.2's {@code NEAREST BY} join on
 *       our shards.
 * </ul>
 *
 * All of them read shards only through {@code ShardSearcher}, opened once per executor JVM by
 * {@code DatasetSearcher} and shared by its tasks: the place where a cache of remote shards plugs
 * in.
 */
package io.zerocopy.spark.join;
