package io.zerocopy.spark.index;

import io.zerocopy.spark.dataset.VecManifest;
import java.util.List;

/**
 * What {@link IndexBuild#run} committed: the new manifest, and for every shard the task that built
 * its index.
 */
public record IndexBuildResult(VecManifest manifest, List<ShardBuild> shards) {

  public IndexBuildResult {
    shards = List.copyOf(shards);
  }

  /** One shard's build: its {@code .hnsw} file, build time, threads and executor id. */
  public record ShardBuild(
      String shard, String file, long bytes, long buildNanos, int threads, String executor) {

    public double buildSeconds() {
      return buildNanos / 1e9;
    }
  }
}
