package io.zerocopy.spark.join;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every shard of one committed dataset (one manifest), opened once per JVM and shared by all the
 * tasks of an executor: {@link #of} returns the cached instance for a path and write id. Shards are
 * opened lazily, on the first search that needs them.
 */
final class DatasetSearcher {

  /** A neighbour in the dataset: shard position in the manifest, row in the shard, distance. */
  record Hit(int shard, long row, float distance) {
    static final Comparator<Hit> ORDER =
        Comparator.comparingDouble(Hit::distance)
            .thenComparingInt(Hit::shard)
            .thenComparingLong(Hit::row);
  }

  private static final Logger LOG = LoggerFactory.getLogger(DatasetSearcher.class);

  private static final ConcurrentMap<String, DatasetSearcher> OPEN = new ConcurrentHashMap<>();

  private final DatasetDirectory directory;
  private final VecManifest manifest;
  private final ShardSearcher[] shards;

  private DatasetSearcher(DatasetDirectory directory, VecManifest manifest) {
    this.directory = directory;
    this.manifest = manifest;
    this.shards = new ShardSearcher[manifest.shards().size()];
  }

  /** The JVM's searcher of {@code manifest}, committed at {@code directory}. */
  static DatasetSearcher of(DatasetDirectory directory, VecManifest manifest) {
    // the shard list too: a manifest rewritten to add indexes may keep its write id
    String key = directory + "#" + manifest.writeId() + "#" + manifest.shards().hashCode();
    DatasetSearcher searcher = OPEN.get(key);
    if (searcher == null) {
      // a newer commit of the same path replaces older searchers (their mapped files stay valid
      // for tasks still using them, and are unmapped when collected)
      OPEN.keySet().removeIf(other -> other.startsWith(directory + "#") && !other.equals(key));
      searcher = OPEN.computeIfAbsent(key, unused -> new DatasetSearcher(directory, manifest));
    }
    return searcher;
  }

  VecManifest manifest() {
    return manifest;
  }

  ShardSearcher shard(int position) {
    ShardSearcher shard = shards[position];
    if (shard == null) {
      synchronized (this) {
        shard = shards[position];
        if (shard == null) {
          shard = ShardSearcher.open(directory, manifest, manifest.shards().get(position));
          shards[position] = shard;
          LOG.info(
              "opened shard {} of {} for search ({} vectors, {}) on {}",
              shard.shard().name(),
              directory,
              shard.shard().count(),
              shard.indexed() ? "HNSW index" : "exact only",
              executor());
        }
      }
    }
    return shard;
  }

  /** "executor N" inside an executor, else "driver" (for logs). */
  private static String executor() {
    org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
    return env == null ? "driver" : "executor " + env.executorId();
  }

  int shardCount() {
    return shards.length;
  }

  /** True if every shard has an {@code .hnsw} index. */
  static boolean indexed(VecManifest manifest) {
    return manifest.shards().stream().allMatch(shard -> shard.index() != null);
  }

  /** The error for an approximate search of a dataset without indexes. */
  static IllegalArgumentException notIndexed(DatasetDirectory directory, VecManifest manifest) {
    List<String> missing = new ArrayList<>();
    for (ShardEntry shard : manifest.shards()) {
      if (shard.index() == null) {
        missing.add(shard.name());
      }
    }
    return new IllegalArgumentException(
        "vec dataset "
            + directory
            + " has no HNSW index for "
            + missing.size()
            + " of its "
            + manifest.shards().size()
            + " shards (e.g. "
            + missing.get(0)
            + "): an approximate search needs one per shard. Build them by writing the dataset"
            + " with .option(\"index\", \"hnsw\") (options m, efConstruction), or use exact"
            + " search (option exact=true, or EXACT NEAREST)");
  }

  /**
   * The k nearest rows of every query over the given shards, merged: ascending distance, ties by
   * shard then row. {@code metric} null means approximate search through the indexes with {@code
   * ef}; otherwise exact search under {@code metric}.
   */
  List<List<Hit>> search(float[][] queries, int k, int ef, Metric metric, int[] shardPositions) {
    List<List<Hit>> merged = new ArrayList<>(queries.length);
    for (int q = 0; q < queries.length; q++) {
      merged.add(new ArrayList<>());
    }
    int threads = SearchThreads.forThisTask();
    for (int position : shardPositions) {
      ShardSearcher shard = shard(position);
      List<List<Neighbor>> found =
          metric == null
              ? shard.searchApprox(queries, k, ef, threads)
              : shard.searchExact(queries, k, metric, threads);
      for (int q = 0; q < queries.length; q++) {
        List<Hit> hits = merged.get(q);
        for (Neighbor neighbor : found.get(q)) {
          hits.add(new Hit(position, neighbor.id(), neighbor.distance()));
        }
      }
    }
    for (int q = 0; q < queries.length; q++) {
      List<Hit> hits = merged.get(q);
      hits.sort(Hit.ORDER);
      if (hits.size() > k) {
        merged.set(q, new ArrayList<>(hits.subList(0, k)));
      }
    }
    return merged;
  }

  int[] allShards() {
    int[] all = new int[shards.length];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    return all;
  }

  @Override
  public String toString() {
    return directory.toString();
  }
}
