package io.zerocopy.spark.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.Mappings;
import io.zerocopy.spark.SparkTestBase;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardCache;
import io.zerocopy.spark.dataset.TestRemoteFileSystem;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.index.VecIndexTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executor searching many datasets (a job over a new dated path every day) keeps only a bounded
 * number open: least recently used ones that no task holds are closed, their files unmapped at once
 * and their cache copies evictable; one in use is never closed under a task.
 */
class OpenDatasetsTest extends SparkTestBase {

  private static final int DATASETS = 10;
  private static final int VECTORS = 300;

  @TempDir static Path temp;

  private static final List<String> paths = new ArrayList<>();
  private static float[][] vectors;
  private DatasetSearcher.Registry previousRegistry;
  private ShardCache previousCache;
  private ShardCache cache;

  @BeforeAll
  static void writeDatasets() {
    vectors = VecIndexTest.vectors(VECTORS, 8);
    for (int d = 0; d < DATASETS; d++) {
      Path local = temp.resolve("day-" + d);
      // half local, half on a remote file system: those are read through the shard cache
      String path = d % 2 == 0 ? local.toString() : TestRemoteFileSystem.uri(local);
      VecIndexTest.frame(vectors, 2)
          .write()
          .format("vec")
          .option("vectorColumn", "embedding")
          .option("idColumn", "id")
          .option("index", "hnsw")
          .option("m", "8")
          .save(path);
      paths.add(path);
    }
  }

  @BeforeEach
  void smallCache(@TempDir Path cacheRoot) {
    // room for about three datasets' files (.vec, .hnsw and .ids.arrow)
    cache = ShardCache.at(cacheRoot, 3 * bytesOf(paths.get(1)));
    previousCache = ShardCache.replace(cache);
  }

  @AfterEach
  void restore() {
    ShardCache.replace(previousCache);
    if (previousRegistry != null) {
      DatasetSearcher.replaceRegistry(previousRegistry);
    }
  }

  private static long bytesOf(String path) {
    VecManifest manifest = DatasetDirectory.of(path).requireManifest();
    return manifest.shards().stream()
        .mapToLong(s -> s.vec().bytes() + s.ids().bytes() + s.index().bytes())
        .sum();
  }

  @Test
  void manyPathsOnFourThreadsStayWithinTheBoundsAndEveryAnswerIsRight() throws Exception {
    long datasetBytes = bytesOf(paths.get(0));
    DatasetSearcher.Registry registry = new DatasetSearcher.Registry(3, 2 * datasetBytes);
    previousRegistry = DatasetSearcher.replaceRegistry(registry);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Integer>> workers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      long seed = t;
      workers.add(pool.submit(() -> searchRandomly(registry, new Random(seed), 150)));
    }
    int searches = 0;
    for (Future<Integer> worker : workers) {
      searches += worker.get();
    }
    pool.shutdown();
    assertEquals(600, searches);
    assertEquals(0, registry.users(), "every lease was closed");
    assertTrue(registry.openDatasets() <= 3, registry.openDatasets() + " open");
    // the newest is kept even alone over the byte bound; the rest are within it
    assertTrue(registry.bytes() <= Math.max(2 * datasetBytes, datasetBytes), "" + registry.bytes());
    assertTrue(registry.closed() >= DATASETS - 3, registry.closed() + " closed");
    // 5 remote datasets of 6 files each, a cache for about 3: evicted and fetched again
    assertTrue(cache.fetches() > 30, cache.fetches() + " fetches");
    // pinned: at most the .vec and .hnsw of both shards of the (at most 3) open datasets
    assertTrue(cache.pinnedFiles() <= 3 * 4, cache.pinnedFiles() + " pinned");
    assertTrue(cache.bytes() <= 3 * bytesOf(paths.get(1)), cache.bytes() + " bytes cached");
    if (Mappings.supported()) {
      assertEquals(List.of(), deletedButMapped(), "closed datasets leave no mapping behind");
    }
  }

  /** A task's blocks: acquire a random day's dataset, search a stored vector, read its id. */
  private int searchRandomly(DatasetSearcher.Registry registry, Random random, int blocks) {
    for (int b = 0; b < blocks; b++) {
      String path = paths.get(random.nextInt(DATASETS));
      DatasetDirectory directory = DatasetDirectory.of(path);
      VecManifest manifest = directory.requireManifest();
      int row = random.nextInt(VECTORS);
      try (DatasetSearcher.Lease lease = registry.acquire(directory, manifest)) {
        DatasetSearcher searcher = lease.searcher();
        boolean exact = random.nextBoolean();
        List<DatasetSearcher.Hit> hits =
            searcher
                .search(
                    new float[][] {vectors[row]},
                    3,
                    40,
                    exact ? Metric.L2 : null,
                    searcher.allShards())
                .get(0);
        DatasetSearcher.Hit nearest = hits.get(0);
        assertEquals(0f, nearest.distance(), path + " row " + row);
        Object id = searcher.shard(nearest.shard()).idRow(nearest.row()).get(0);
        assertEquals(1000L + row, id, path + " row " + row);
      }
    }
    return blocks;
  }

  @Test
  void aDatasetInUseIsNeverClosedAndIsClosedOnceReleased() {
    DatasetSearcher.Registry registry = new DatasetSearcher.Registry(1, Long.MAX_VALUE);
    previousRegistry = DatasetSearcher.replaceRegistry(registry);
    DatasetDirectory first = DatasetDirectory.of(paths.get(0));
    DatasetDirectory second = DatasetDirectory.of(paths.get(2));
    DatasetSearcher.Lease held = registry.acquire(first, first.requireManifest());
    DatasetSearcher searcher = held.searcher();
    searcher.search(new float[][] {vectors[0]}, 1, 10, null, searcher.allShards());
    try (DatasetSearcher.Lease other = registry.acquire(second, second.requireManifest())) {
      other.searcher().search(new float[][] {vectors[1]}, 1, 10, null, new int[] {0});
      assertEquals(2, registry.openDatasets(), "over the bound rather than closed under a task");
      // the first is still searchable while held
      assertEquals(
          0f,
          searcher
              .search(new float[][] {vectors[5]}, 1, 10, null, searcher.allShards())
              .get(0)
              .get(0)
              .distance());
    }
    held.close();
    // released and not the newest: closed when the next dataset is acquired
    registry.acquire(second, second.requireManifest()).close();
    assertEquals(1, registry.openDatasets());
    assertEquals(1, registry.closed());
    assertThrows(
        IllegalStateException.class,
        () -> searcher.search(new float[][] {vectors[0]}, 1, 10, null, searcher.allShards()));
    held.close(); // twice is harmless
  }

  @Test
  void twoManifestsOfOnePathStayOpenTogether() throws Exception {
    DatasetSearcher.Registry registry = new DatasetSearcher.Registry(4, Long.MAX_VALUE);
    previousRegistry = DatasetSearcher.replaceRegistry(registry);
    String path = temp.resolve("rewritten").toString();
    DatasetDirectory directory = DatasetDirectory.of(path);
    for (int version = 0; version < 2; version++) {
      VecIndexTest.frame(vectors, 1 + version)
          .write()
          .format("vec")
          .option("vectorColumn", "embedding")
          .option("idColumn", "id")
          .mode("overwrite")
          .save(path);
    }
    VecManifest after = directory.requireManifest();
    VecManifest before = directory.readVersion(directory.listVersions().get(0).version());
    for (int round = 0; round < 5; round++) {
      registry.acquire(directory, before).close();
      registry.acquire(directory, after).close();
    }
    assertEquals(2, registry.openDatasets(), "alternating versions do not re-open each other");
    assertEquals(0, registry.closed());
  }

  /** Files this process maps that were deleted: an evicted cache copy still mapped. */
  private List<String> deletedButMapped() throws Exception {
    try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
      return maps.filter(line -> line.endsWith("(deleted)"))
          .filter(line -> line.contains(cache.root().toString()))
          .distinct()
          .toList();
    }
  }
}
