package io.zerocopy.spark.join;

import io.zerocopy.engine.cluster.Centroids;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which shards of a clustered dataset a query visits: those of its {@code nprobe} nearest clusters
 * (several shards may hold one cluster, after appends). Built on the driver from the manifest's
 * centroids file (validated as it is read) and shipped with the join's tasks: the centres are a few
 * hundred KiB at most.
 */
final class ShardRouting implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Session conf: {@code nprobe} for {@code vec_knn} and {@code NEAREST BY} on clustered data. */
  static final String NPROBE_CONF = "spark.zerocopy.search.nprobe";

  /**
   * The probes of an approximate search on a clustered dataset when none is given: the fewest that
   * kept recall@10 ≥ 0.95 on both data sets of bench/run-routed-join.sh (1M mixture vectors in 386
   * clusters: 0.955; 99,800 MiniLM sentences in 257 clusters with boundary replicas 0.1: 0.958).
   */
  static final int DEFAULT_NPROBE = 16;

  private final Centroids centroids;
  private final int nprobe;
  private final int[][] shardsOfCluster;

  private ShardRouting(Centroids centroids, int nprobe, int[][] shardsOfCluster) {
    this.centroids = centroids;
    this.nprobe = nprobe;
    this.shardsOfCluster = shardsOfCluster;
  }

  /**
   * The routing of {@code nprobe} clusters per query, or null when every shard is visited: no
   * {@code nprobe} given, or at least as many as the dataset has clusters.
   *
   * @param option how the value was given, for errors ("option 'nprobe'")
   */
  static ShardRouting of(
      DatasetDirectory directory, VecManifest manifest, Integer nprobe, String option) {
    if (nprobe == null) {
      return null;
    }
    if (nprobe < 1) {
      throw new IllegalArgumentException(
          option + ": expected a positive integer, got '" + nprobe + "'");
    }
    if (!manifest.clustered()) {
      throw new IllegalArgumentException(
          option
              + ": vec dataset "
              + directory
              + " is not clustered, so every query visits every shard; write it with"
              + " partitioning=kmeans to route queries to their nearest shards");
    }
    Centroids centroids = directory.readCentroids(manifest.centroids());
    if (nprobe >= centroids.count()) {
      return null;
    }
    List<List<Integer>> byCluster = new ArrayList<>();
    for (int c = 0; c < centroids.count(); c++) {
      byCluster.add(new ArrayList<>());
    }
    List<ShardEntry> shards = manifest.shards();
    for (int s = 0; s < shards.size(); s++) {
      int cluster = shards.get(s).cluster();
      if (cluster >= centroids.count()) {
        throw new IllegalStateException(
            directory.location(manifest.centroids().file())
                + ": has "
                + centroids.count()
                + " centres, but shard "
                + shards.get(s).name()
                + " names cluster "
                + cluster);
      }
      byCluster.get(cluster).add(s);
    }
    int[][] shardsOfCluster = new int[byCluster.size()][];
    for (int c = 0; c < shardsOfCluster.length; c++) {
      shardsOfCluster[c] = byCluster.get(c).stream().mapToInt(Integer::intValue).toArray();
    }
    return new ShardRouting(centroids, nprobe, shardsOfCluster);
  }

  /**
   * The routing of a search given {@code nprobe} (null: not given): an exact search visits every
   * shard unless told otherwise, an approximate one on a clustered dataset {@value #DEFAULT_NPROBE}
   * clusters.
   */
  static ShardRouting orDefault(
      DatasetDirectory directory,
      VecManifest manifest,
      Integer nprobe,
      boolean exact,
      String option) {
    if (nprobe == null && !exact && manifest.clustered()) {
      return of(directory, manifest, DEFAULT_NPROBE, option);
    }
    return of(directory, manifest, nprobe, option);
  }

  /**
   * The routing {@value #NPROBE_CONF} asks for ({@code vec_knn}, {@code APPROX NEAREST}; not set:
   * {@value #DEFAULT_NPROBE} on a clustered dataset), or null: the dataset is not clustered (a
   * session-wide setting cannot apply to it, and does not fail its queries). A value that is not a
   * positive integer is an error naming the conf.
   */
  static ShardRouting fromConf(
      org.apache.spark.sql.SparkSession session, DatasetDirectory directory, VecManifest manifest) {
    String raw = session.conf().get(NPROBE_CONF, null);
    if (raw == null) {
      return orDefault(directory, manifest, null, false, NPROBE_CONF);
    }
    int nprobe;
    try {
      nprobe = Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      nprobe = 0;
    }
    if (nprobe < 1) {
      throw new IllegalArgumentException(
          NPROBE_CONF + ": expected a positive integer, got '" + raw + "'");
    }
    return manifest.clustered() ? of(directory, manifest, nprobe, NPROBE_CONF) : null;
  }

  /** The positions (in the manifest) of the shards {@code query} visits, ascending. */
  int[] shards(float[] query) {
    int total = 0;
    int[] clusters = centroids.route(query, nprobe);
    for (int cluster : clusters) {
      total += shardsOfCluster[cluster].length;
    }
    int[] shards = new int[total];
    int next = 0;
    for (int cluster : clusters) {
      for (int shard : shardsOfCluster[cluster]) {
        shards[next++] = shard;
      }
    }
    Arrays.sort(shards);
    return shards;
  }

  int nprobe() {
    return nprobe;
  }
}
