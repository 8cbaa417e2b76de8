package io.zerocopy.spark.join;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every shard of one committed dataset (one manifest), opened once per JVM and shared by all the
 * tasks of an executor. A task {@link #acquire}s it for a block of queries and closes the {@link
 * Lease} when that block's rows are built; shards are opened lazily, on the first search that needs
 * them. The executor keeps datasets open between tasks, up to {@value #MAX_OPEN_CONF} datasets and
 * {@value #MAX_OPEN_BYTES_CONF} bytes (mapped files and id rows); beyond that the least recently
 * used one that no task holds is closed: its files are unmapped at once and its cache copies may be
 * evicted. One in use is never closed, so a bound smaller than what running tasks hold is exceeded,
 * not enforced by failing them.
 */
final class DatasetSearcher {

  /** Spark conf: datasets an executor keeps open for search. */
  static final String MAX_OPEN_CONF = "spark.zerocopy.search.maxOpenDatasets";

  /** Spark conf: bytes of open datasets (mapped files and id rows) an executor keeps. */
  static final String MAX_OPEN_BYTES_CONF = "spark.zerocopy.search.maxOpenBytes";

  static final int DEFAULT_MAX_OPEN = 8;
  static final String DEFAULT_MAX_OPEN_BYTES = "10g";

  /** A neighbour in the dataset: shard position in the manifest, row in the shard, distance. */
  record Hit(int shard, long row, float distance) {
    static final Comparator<Hit> ORDER =
        Comparator.comparingDouble(Hit::distance)
            .thenComparingInt(Hit::shard)
            .thenComparingLong(Hit::row);
  }

  /** A task's hold on an open dataset; closing it lets the executor close the dataset. */
  static final class Lease implements AutoCloseable {
    private final Registry registry;
    private DatasetSearcher searcher;

    private Lease(Registry registry, DatasetSearcher searcher) {
      this.registry = registry;
      this.searcher = searcher;
    }

    DatasetSearcher searcher() {
      if (searcher == null) {
        throw new IllegalStateException("the lease is closed");
      }
      return searcher;
    }

    @Override
    public void close() {
      if (searcher != null) {
        registry.release(searcher);
        searcher = null;
      }
    }
  }

  /** The open datasets of a JVM, least recently acquired first, within bounds. */
  static final class Registry {
    private final int maxOpen;
    private final long maxBytes;
    private final LinkedHashMap<String, DatasetSearcher> open =
        new LinkedHashMap<>(16, 0.75f, true);
    private DatasetSearcher newest;
    private long closed;

    Registry(int maxOpen, long maxBytes) {
      if (maxOpen < 1 || maxBytes < 1) {
        throw new IllegalArgumentException(
            MAX_OPEN_CONF
                + " and "
                + MAX_OPEN_BYTES_CONF
                + " must be positive, got "
                + maxOpen
                + " and "
                + maxBytes);
      }
      this.maxOpen = maxOpen;
      this.maxBytes = maxBytes;
    }

    synchronized Lease acquire(DatasetDirectory directory, VecManifest manifest) {
      // the shard list too: a manifest rewritten to add indexes may keep its write id
      String key = directory + "#" + manifest.writeId() + "#" + manifest.shards().hashCode();
      DatasetSearcher searcher = open.get(key);
      if (searcher == null) {
        searcher = new DatasetSearcher(directory, manifest);
        open.put(key, searcher);
      }
      searcher.users++;
      newest = searcher;
      trim();
      return new Lease(this, searcher);
    }

    synchronized void release(DatasetSearcher searcher) {
      searcher.users--;
      trim(); // its shards opened since it was acquired may have grown the total
    }

    /** Closes least recently acquired datasets no task holds, never the newest, while over. */
    private void trim() {
      long bytes = bytes();
      Iterator<DatasetSearcher> oldest = open.values().iterator();
      while ((open.size() > maxOpen || bytes > maxBytes) && oldest.hasNext()) {
        DatasetSearcher searcher = oldest.next();
        if (searcher.users > 0 || searcher == newest) {
          continue;
        }
        oldest.remove();
        bytes -= searcher.bytes();
        searcher.close();
        closed++;
      }
    }

    synchronized int openDatasets() {
      return open.size();
    }

    synchronized long bytes() {
      long bytes = 0;
      for (DatasetSearcher searcher : open.values()) {
        bytes += searcher.bytes();
      }
      return bytes;
    }

    /** Datasets closed to stay within the bounds. */
    synchronized long closed() {
      return closed;
    }

    /** Tasks holding a dataset now. */
    synchronized int users() {
      int users = 0;
      for (DatasetSearcher searcher : open.values()) {
        users += searcher.users;
      }
      return users;
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(DatasetSearcher.class);

  private static volatile Registry shared;

  private final DatasetDirectory directory;
  private final VecManifest manifest;
  private final ShardSearcher[] shards;
  private int users; // guarded by the registry
  private boolean closed; // guarded by this

  private DatasetSearcher(DatasetDirectory directory, VecManifest manifest) {
    this.directory = directory;
    this.manifest = manifest;
    this.shards = new ShardSearcher[manifest.shards().size()];
  }

  /** This JVM's searcher of {@code manifest}, committed at {@code directory}, held until closed. */
  static Lease acquire(DatasetDirectory directory, VecManifest manifest) {
    return registry().acquire(directory, manifest);
  }

  /** The JVM's open datasets, bounded by the executor's Spark conf. */
  static Registry registry() {
    Registry registry = shared;
    if (registry == null) {
      synchronized (DatasetSearcher.class) {
        if (shared == null) {
          org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
          org.apache.spark.SparkConf conf =
              env == null ? new org.apache.spark.SparkConf() : env.conf();
          shared =
              new Registry(
                  conf.getInt(MAX_OPEN_CONF, DEFAULT_MAX_OPEN),
                  conf.getSizeAsBytes(MAX_OPEN_BYTES_CONF, DEFAULT_MAX_OPEN_BYTES));
        }
        registry = shared;
      }
    }
    return registry;
  }

  /** Makes {@code registry} the JVM's and returns the one it replaces (tests: small bounds). */
  static synchronized Registry replaceRegistry(Registry registry) {
    Registry previous = shared;
    shared = registry;
    return previous;
  }

  /**
   * Bytes of the shards opened so far: mapped files, and id rows once read. Without the lock, which
   * a task holds while it fetches a shard: a shard being opened counts from the next call.
   */
  long bytes() {
    long bytes = 0;
    for (ShardSearcher shard : shards) {
      if (shard != null) {
        bytes += shard.bytes();
      }
    }
    return bytes;
  }

  /** Unmaps every opened shard; called by the registry once no task holds this dataset. */
  private synchronized void close() {
    closed = true;
    for (int i = 0; i < shards.length; i++) {
      if (shards[i] != null) {
        shards[i].close();
        shards[i] = null;
      }
    }
    LOG.info("closed vec dataset {} on {}", directory, executor());
  }

  VecManifest manifest() {
    return manifest;
  }

  ShardSearcher shard(int position) {
    ShardSearcher shard = shards[position];
    if (shard == null) {
      synchronized (this) {
        if (closed) {
          throw new IllegalStateException(directory + ": searched after it was closed");
        }
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
    List<List<Hit>> merged = emptyLists(queries.length);
    int threads = SearchThreads.forThisTask();
    for (int position : shardPositions) {
      searchShard(position, queries, null, k, ef, metric, threads, merged);
    }
    return topK(merged, k);
  }

  /**
   * {@link #search} where each query visits its own shards ({@code shardsPerQuery[q]}, positions in
   * the manifest): each shard is searched once, for the queries that visit it.
   */
  List<List<Hit>> search(float[][] queries, int k, int ef, Metric metric, int[][] shardsPerQuery) {
    java.util.TreeMap<Integer, List<Integer>> byShard = new java.util.TreeMap<>();
    for (int q = 0; q < queries.length; q++) {
      for (int shard : shardsPerQuery[q]) {
        byShard.computeIfAbsent(shard, unused -> new ArrayList<>()).add(q);
      }
    }
    List<List<Hit>> merged = emptyLists(queries.length);
    int threads = SearchThreads.forThisTask();
    for (java.util.Map.Entry<Integer, List<Integer>> entry : byShard.entrySet()) {
      int[] visitors = entry.getValue().stream().mapToInt(Integer::intValue).toArray();
      float[][] subset = new float[visitors.length][];
      for (int i = 0; i < subset.length; i++) {
        subset[i] = queries[visitors[i]];
      }
      searchShard(entry.getKey(), subset, visitors, k, ef, metric, threads, merged);
    }
    return topK(merged, k);
  }

  /**
   * Searches one shard for {@code queries} and adds the hits to {@code merged}: to entry {@code
   * visitors[i]} for query i, or to entry i when {@code visitors} is null.
   */
  private void searchShard(
      int position,
      float[][] queries,
      int[] visitors,
      int k,
      int ef,
      Metric metric,
      int threads,
      List<List<Hit>> merged) {
    ShardSearcher shard = shard(position);
    List<List<Neighbor>> found =
        metric == null
            ? shard.searchApprox(queries, k, ef, threads)
            : shard.searchExact(queries, k, metric, threads);
    for (int i = 0; i < queries.length; i++) {
      List<Hit> hits = merged.get(visitors == null ? i : visitors[i]);
      for (Neighbor neighbor : found.get(i)) {
        hits.add(new Hit(position, neighbor.id(), neighbor.distance()));
      }
    }
  }

  private static List<List<Hit>> emptyLists(int count) {
    List<List<Hit>> lists = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      lists.add(new ArrayList<>());
    }
    return lists;
  }

  /**
   * Each query's hits in {@link Hit#ORDER}, the first {@code k}; with boundary replicas, each id
   * once (its first hit: a replica has the same vector, so the same distance, as its original).
   */
  private List<List<Hit>> topK(List<List<Hit>> merged, int k) {
    boolean replicas = manifest.hasReplicas();
    for (int q = 0; q < merged.size(); q++) {
      List<Hit> hits = merged.get(q);
      hits.sort(Hit.ORDER);
      if (replicas) {
        List<Hit> distinct = new ArrayList<>(Math.min(k, hits.size()));
        java.util.Set<Object> seen = new java.util.HashSet<>();
        for (int i = 0; i < hits.size() && distinct.size() < k; i++) {
          Hit hit = hits.get(i);
          if (seen.add(shard(hit.shard()).idRow(hit.row()).get(0))) {
            distinct.add(hit);
          }
        }
        merged.set(q, distinct);
      } else if (hits.size() > k) {
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
