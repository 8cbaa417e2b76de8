package io.zerocopy.spark.source.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.spark.SparkTestBase;
import io.zerocopy.spark.VecDatasets;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ManifestVersion;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.TestRemoteFileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writers racing on one dataset, each in its own Spark session, on the local file system and on a
 * Hadoop file system that is not {@code file:}: no acknowledged row is lost, none appears twice, no
 * append fails for losing a race, and a reader always sees one committed version.
 */
class ConcurrentWritesTest extends SparkTestBase {

  private static final StructType SCHEMA =
      DataTypes.createStructType(
          new StructField[] {
            DataTypes.createStructField("id", DataTypes.LongType, false),
            DataTypes.createStructField(
                "embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false)
          });

  @TempDir Path temp;

  private static Dataset<Row> batch(SparkSession session, long firstId, int rows) {
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      long id = firstId + i;
      list.add(RowFactory.create(id, new float[] {id % 97, id % 89, id % 83, 1f}));
    }
    return session.createDataFrame(list, SCHEMA).coalesce(1);
  }

  private static void save(Dataset<Row> frame, SaveMode mode, String path) {
    frame
        .write()
        .format("vec")
        .option("vectorColumn", "embedding")
        .option("idColumn", "id")
        .mode(mode)
        .save(path);
  }

  private String path(boolean remote, String name) {
    Path local = temp.resolve(name);
    return remote ? TestRemoteFileSystem.uri(local) : local.toString();
  }

  /** A reader of the newest version throughout: counts only grow, each one a committed state. */
  private static Future<Integer> reader(
      ExecutorService pool, String path, AtomicBoolean running, int rowsPerAppend) {
    return pool.submit(
        () -> {
          int reads = 0;
          long lastVersion = -1;
          DatasetDirectory directory = DatasetDirectory.of(path);
          while (running.get()) {
            Optional<ManifestVersion> seen = directory.readVersion();
            if (seen.isPresent()) {
              assertTrue(seen.get().version() >= lastVersion, "versions went back");
              lastVersion = seen.get().version();
              long count = seen.get().manifest().count();
              assertEquals(0, count % rowsPerAppend, "a half-committed append: " + count);
            }
            reads++;
          }
          return reads;
        });
  }

  @ParameterizedTest(name = "remote={0}")
  @ValueSource(booleans = {false, true})
  void twoWritersAppendingInALoopLoseNothing(boolean remote) throws Exception {
    String path = path(remote, "appends");
    int writers = 2;
    int commits = 20;
    int rows = 10;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    AtomicBoolean running = new AtomicBoolean(true);
    Set<Long> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try {
      Future<Integer> reads = reader(pool, path, running, rows);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        long base = (w + 1) * 1_000_000L;
        SparkSession session = spark().newSession();
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < commits; i++) {
                    long first = base + i * rows;
                    save(batch(session, first, rows), SaveMode.Append, path);
                    for (long id = first; id < first + rows; id++) {
                      acknowledged.add(id);
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> writer : done) {
        writer.get(); // an append that failed fails the test here
      }
      running.set(false);
      assertTrue(reads.get() > 0);
    } finally {
      running.set(false);
      pool.shutdownNow();
    }
    List<Long> ids =
        spark()
            .read()
            .format("vec")
            .load(path)
            .select("id")
            .as(org.apache.spark.sql.Encoders.LONG())
            .collectAsList();
    assertEquals(writers * commits * rows, ids.size(), "rows read back");
    assertEquals(acknowledged, new HashSet<>(ids), "acknowledged rows read back, once each");
    DatasetDirectory directory = DatasetDirectory.of(path);
    assertEquals(writers * commits, directory.readVersion().orElseThrow().version());
  }

  /**
   * An append loop racing an overwrite and an index build: the appends all succeed; the overwrite
   * and the build each commit or fail naming the versions; the final dataset is the overwrite's
   * rows (if it committed) plus exactly the appends acknowledged after it.
   */
  @ParameterizedTest(name = "remote={0}")
  @ValueSource(booleans = {false, true})
  void anAppendRacingAnOverwriteAndAnIndexBuild(boolean remote) throws Exception {
    String path = path(remote, "mixed");
    int rows = 10;
    save(batch(spark(), 0, rows), SaveMode.Append, path);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    AtomicBoolean running = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> outcomes = new ConcurrentLinkedQueue<>();
    List<long[]> appends = new ArrayList<>(); // first id of each acknowledged append, in order
    long overwriteFirst = 5_000_000L;
    try {
      Future<Integer> reads = reader(pool, path, running, rows);
      CountDownLatch start = new CountDownLatch(1);
      SparkSession appender = spark().newSession();
      Future<?> appending =
          pool.submit(
              () -> {
                start.await();
                for (int i = 1; i <= 20; i++) {
                  long first = 1_000_000L + i * rows;
                  save(batch(appender, first, rows), SaveMode.Append, path);
                  synchronized (appends) {
                    appends.add(new long[] {first});
                  }
                }
                return null;
              });
      SparkSession other = spark().newSession();
      start.countDown();
      Thread.sleep(200);
      try {
        save(batch(other, overwriteFirst, rows), SaveMode.Overwrite, path);
        outcomes.add("overwrite committed");
      } catch (Exception e) {
        assertTrue(
            messages(e).contains("was changed by another commit while the overwrite"), messages(e));
        outcomes.add("overwrite lost");
      }
      try {
        VecDatasets.buildIndex(other, path, Map.of("m", "8"));
        outcomes.add("build committed");
      } catch (Exception e) {
        assertTrue(
            messages(e).contains("was changed by another commit while the index build"),
            messages(e));
        outcomes.add("build lost");
      }
      appending.get();
      running.set(false);
      assertTrue(reads.get() > 0);
    } finally {
      running.set(false);
      pool.shutdownNow();
    }
    List<Long> ids =
        spark()
            .read()
            .format("vec")
            .load(path)
            .select("id")
            .as(org.apache.spark.sql.Encoders.LONG())
            .collectAsList();
    Set<Long> present = new HashSet<>(ids);
    assertEquals(ids.size(), present.size(), "an id read twice");
    boolean overwritten = present.contains(overwriteFirst);
    assertEquals(overwritten, outcomes.contains("overwrite committed"), outcomes.toString());
    // appends acknowledged after the overwrite are all there; before it, none; in order
    boolean seenPresent = false;
    int appended = 0;
    for (long[] append : appends) {
      boolean here = present.contains(append[0]);
      if (seenPresent) {
        assertTrue(here, "append " + append[0] + " lost after a later one landed");
      }
      seenPresent |= here;
      for (long id = append[0]; id < append[0] + rows; id++) {
        assertEquals(here, present.contains(id), "append " + append[0] + " half there");
      }
      appended += here ? 1 : 0;
    }
    if (!overwritten) {
      assertEquals(20, appended, "no overwrite committed, so every append must be there");
      assertTrue(present.contains(0L));
    }
    assertEquals(appended * rows + rows, ids.size(), outcomes.toString());
    // whatever happened, the dataset indexes and its shards are whole
    VecDatasets.buildIndex(spark(), path, Map.of("m", "8"));
    for (ShardEntry shard : DatasetDirectory.of(path).requireManifest().shards()) {
      assertTrue(shard.index() != null, shard.name());
    }
  }

  /**
   * A store whose deletes all fail (a throttled cleanup) after the version is created: the write
   * and the index build stand, and Spark's abort never deletes what the new version lists.
   */
  @org.junit.jupiter.api.Test
  void aCleanupThatThrowsAfterTheCommitAbortsNothing() throws Exception {
    String path = path(true, "throttled");
    save(batch(spark(), 0, 10), SaveMode.Append, path);
    TestRemoteFileSystem.failDeletes = true;
    try {
      save(batch(spark(), 100, 10), SaveMode.Append, path);
      save(batch(spark(), 200, 10), SaveMode.Overwrite, path);
      VecDatasets.buildIndex(spark(), path, Map.of("m", "8"));
    } finally {
      TestRemoteFileSystem.failDeletes = false;
    }
    DatasetDirectory directory = DatasetDirectory.of(path);
    ManifestVersion newest = directory.requireVersion();
    assertEquals(4, newest.version());
    for (ShardEntry shard : newest.manifest().shards()) {
      assertTrue(shard.index() != null, shard.name());
      for (String file : shard.files()) {
        assertTrue(java.nio.file.Files.exists(temp.resolve("throttled").resolve(file)), file);
      }
    }
    List<Long> ids =
        spark()
            .read()
            .format("vec")
            .load(path)
            .select("id")
            .as(org.apache.spark.sql.Encoders.LONG())
            .collectAsList();
    assertEquals(10, ids.size());
    assertTrue(ids.contains(200L));
  }
}
