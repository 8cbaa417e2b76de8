package io.zerocopy.spark.source.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.cluster.Centroids;
import io.zerocopy.engine.cluster.CentroidsFile;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.spark.SparkTestBase;
import io.zerocopy.spark.VecDatasets;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.TestRemoteFileSystem;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.index.VecIndexTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** partitioning=kmeans: shards are clusters, each row in the shard of its nearest centre. */
class ClusteredWriteTest extends SparkTestBase {

  @TempDir Path temp;

  /** 16-d vectors around 12 centres. */
  static float[][] mixture(int n, long seed) {
    Random random = new Random(seed);
    float[][] centres = new float[12][16];
    Random centreRandom = new Random(3);
    for (float[] centre : centres) {
      for (int j = 0; j < 16; j++) {
        centre[j] = (float) centreRandom.nextGaussian() * 5;
      }
    }
    float[][] vectors = new float[n][16];
    for (int i = 0; i < n; i++) {
      float[] centre = centres[random.nextInt(12)];
      for (int j = 0; j < 16; j++) {
        vectors[i][j] = centre[j] + (float) random.nextGaussian();
      }
    }
    return vectors;
  }

  /** {@link #mixture} with noise that makes the clusters overlap: many rows near a boundary. */
  static float[][] overlapping(int n, long seed) {
    float[][] vectors = mixture(n, seed);
    Random random = new Random(seed);
    for (float[] vector : vectors) {
      for (int j = 0; j < vector.length; j++) {
        vector[j] += (float) random.nextGaussian() * 4;
      }
    }
    return vectors;
  }

  private static DataFrameWriter<Row> vec(Dataset<Row> frame) {
    return frame.write().format("vec").option("vectorColumn", "embedding").option("idColumn", "id");
  }

  /** Every shard's rows are nearest its cluster's centre; ids once each. */
  private static Centroids checkClusters(String path, long expectedRows) throws Exception {
    return checkClusters(path, expectedRows, 0);
  }

  /**
   * {@link #checkClusters(String, long)}, and each shard's boundary replicas (its last rows) are
   * rows whose replica clusters include the shard's.
   */
  private static Centroids checkClusters(String path, long expectedRows, double epsilon)
      throws Exception {
    DatasetDirectory directory = DatasetDirectory.of(path);
    VecManifest manifest = directory.requireManifest();
    assertTrue(manifest.clustered(), "clustered");
    Centroids centroids = CentroidsFile.read(directory.localFile(manifest.centroids(), true));
    assertEquals(manifest.metric(), centroids.metric());
    assertEquals(manifest.dimension(), centroids.dimension());
    long rows = 0;
    for (ShardEntry shard : manifest.shards()) {
      assertTrue(shard.cluster() >= 0 && shard.cluster() < centroids.count(), shard.toString());
      try (VectorStore store = VectorStore.open(directory.localFile(shard.vec(), false))) {
        assertEquals(shard.count(), store.size());
        for (long row = 0; row < shard.rows(); row++) {
          assertEquals(shard.cluster(), centroids.assign(store.get(row)), shard.name() + " " + row);
        }
        for (long row = shard.rows(); row < store.size(); row++) {
          int[] clusters =
              centroids.assignWithReplicas(store.get(row), epsilon, ClusteredWrite.MAX_REPLICAS);
          boolean listed = false;
          for (int c = 1; c < clusters.length; c++) {
            listed |= clusters[c] == shard.cluster();
          }
          assertTrue(listed, shard.name() + " replica row " + row);
        }
        rows += shard.rows();
      }
    }
    assertEquals(expectedRows, rows);
    List<Row> read = spark().read().format("vec").load(path).select("id").collectAsList();
    Set<Long> ids = new HashSet<>();
    read.forEach(row -> ids.add(row.getLong(0)));
    assertEquals(expectedRows, ids.size(), "every id once");
    return centroids;
  }

  @Test
  void rowsGoToTheShardOfTheirNearestCentreAndAppendsFollowTheCentres() throws Exception {
    String path = temp.resolve("clustered").toString();
    float[][] vectors = mixture(3_000, 1);
    vec(VecIndexTest.frame(vectors, 3))
        .option("partitioning", "kmeans")
        .option("shards", "8")
        .option("index", "hnsw")
        .option("m", "8")
        .save(path);
    VecManifest manifest = DatasetDirectory.of(path).requireManifest();
    Centroids centroids = checkClusters(path, 3_000);
    assertTrue(centroids.count() >= 8, centroids.count() + " centres");
    assertTrue(manifest.shards().size() >= 8, manifest.shards().size() + " shards");
    manifest.shards().forEach(shard -> assertNotNull(shard.index()));
    // balanced: no shard over twice the mean, plus sampling noise
    long largest = manifest.shards().stream().mapToLong(ShardEntry::count).max().getAsLong();
    assertTrue(largest <= 3 * 3_000 / manifest.shards().size(), "largest shard " + largest);
    // searches over a clustered dataset still see every shard
    assertTrue(VecIndexTest.recall(path, vectors) >= 0.95);

    // an append routes the new rows by the dataset's own centres
    float[][] more = mixture(600, 2);
    Dataset<Row> moreRows =
        VecIndexTest.frame(more, 2).selectExpr("id + 10000 as id", "embedding", "label");
    vec(moreRows).mode("append").save(path);
    VecManifest appended = DatasetDirectory.of(path).requireManifest();
    assertEquals(manifest.centroids(), appended.centroids(), "the same centroids file");
    checkClusters(path, 3_600);

    // the centroids file is the dataset's: vacuum keeps it
    VecDatasets.vacuum(spark(), path, "0s");
    assertTrue(Files.exists(Path.of(path, appended.centroids().file())));
  }

  @Test
  void boundaryReplicasAreStoredOnceMoreAndReadNever() throws Exception {
    String path = temp.resolve("replicas").toString();
    float[][] vectors = overlapping(3_000, 11);
    vec(VecIndexTest.frame(vectors, 3))
        .option("partitioning", "kmeans")
        .option("shards", "8")
        .option("boundaryReplicas", "0.2")
        .option("index", "hnsw")
        .option("m", "8")
        .save(path);
    VecManifest manifest = DatasetDirectory.of(path).requireManifest();
    assertEquals(0.2, manifest.boundaryReplicas());
    assertEquals(3_000, manifest.count());
    Centroids centroids = checkClusters(path, 3_000, 0.2);
    // exactly the replicas the rule gives, each in the shard of its cluster
    long expected = 0;
    for (float[] vector : vectors) {
      expected += centroids.assignWithReplicas(vector, 0.2, ClusteredWrite.MAX_REPLICAS).length - 1;
    }
    long stored = manifest.shards().stream().mapToLong(ShardEntry::replicas).sum();
    assertEquals(expected, stored);
    assertTrue(stored > 30, stored + " replicas");
    assertEquals(3_000, spark().read().format("vec").load(path).count());
    // a rebuild of the indexes keeps the replicas and their factor
    VecManifest rebuilt =
        VecDatasets.buildIndex(spark(), path, java.util.Map.of("m", "6")).manifest();
    assertEquals(0.2, rebuilt.boundaryReplicas());
    assertEquals(stored, rebuilt.shards().stream().mapToLong(ShardEntry::replicas).sum());

    // an append follows the factor; another factor is refused
    float[][] more = overlapping(600, 12);
    vec(VecIndexTest.frame(more, 2).selectExpr("id + 10000 as id", "embedding", "label"))
        .mode("append")
        .save(path);
    VecManifest appended = DatasetDirectory.of(path).requireManifest();
    assertEquals(0.2, appended.boundaryReplicas());
    assertEquals(3_600, appended.count());
    checkClusters(path, 3_600, 0.2);
    assertTrue(
        appended.shards().stream().mapToLong(ShardEntry::replicas).sum() > stored,
        "the appended rows have replicas too");
    assertTrue(
        messages(
                assertThrows(
                    Exception.class,
                    () ->
                        vec(VecIndexTest.frame(more, 2).selectExpr("id + 20000 as id", "embedding"))
                            .mode("append")
                            .option("partitioning", "kmeans")
                            .option("boundaryReplicas", "0.5")
                            .save(path)))
            .contains("is clustered with boundaryReplicas 0.2, which an append follows"));
    // a duplicate id among the own rows is still found
    assertTrue(
        messages(
                assertThrows(
                    Exception.class,
                    () ->
                        vec(VecIndexTest.frame(more, 2)
                                .selectExpr("id + 10000 as id", "embedding", "label"))
                            .mode("append")
                            .save(path)))
            .contains("duplicate id"));
  }

  @Test
  void cosineDataIsClusteredByAngle() throws Exception {
    String path = temp.resolve("cosine").toString();
    float[][] vectors = mixture(1_500, 4);
    for (int i = 0; i < vectors.length; i++) {
      for (int j = 0; j < 16; j++) {
        vectors[i][j] *= 1 + i % 7; // lengths vary; directions carry the clusters
      }
    }
    vec(VecIndexTest.frame(vectors, 2))
        .option("metric", "cosine")
        .option("partitioning", "kmeans")
        .option("shards", "6")
        .save(path);
    Centroids centroids = checkClusters(path, 1_500);
    assertEquals(Metric.COSINE, centroids.metric());
  }

  @Test
  void aRemoteClusteredDatasetWritesItsCentroidsThere() throws Exception {
    Path local = temp.resolve("remote");
    String uri = TestRemoteFileSystem.uri(local);
    vec(VecIndexTest.frame(mixture(800, 5), 2))
        .option("partitioning", "kmeans")
        .option("shards", "4")
        .save(uri);
    checkClusters(uri, 800);
    VecManifest manifest = DatasetDirectory.of(uri).requireManifest();
    assertTrue(Files.exists(local.resolve(manifest.centroids().file())));
  }

  @Test
  void anOverwriteWithoutPartitioningIsUnclusteredAgain() throws Exception {
    String path = temp.resolve("again").toString();
    vec(VecIndexTest.frame(mixture(500, 6), 2))
        .option("partitioning", "kmeans")
        .option("shards", "3")
        .save(path);
    vec(VecIndexTest.frame(mixture(500, 7), 2)).mode("overwrite").save(path);
    VecManifest manifest = DatasetDirectory.of(path).requireManifest();
    assertNull(manifest.centroids());
    manifest.shards().forEach(shard -> assertEquals(ShardEntry.UNCLUSTERED, shard.cluster()));
  }

  @Test
  void badOptionsAndMismatchedAppendsAreNamed() throws Exception {
    Dataset<Row> frame = VecIndexTest.frame(mixture(200, 8), 2);
    String path = temp.resolve("bad").toString();
    assertTrue(
        messages(
                assertThrows(
                    Exception.class,
                    () -> vec(frame).option("partitioning", "sideways").save(path)))
            .contains(
                "option 'partitioning': unknown value 'sideways': expected one of none, kmeans"));
    assertTrue(
        messages(
                assertThrows(
                    Exception.class,
                    () ->
                        vec(frame)
                            .option("partitioning", "kmeans")
                            .option("shards", "0")
                            .save(path)))
            .contains("option 'shards' must be in [1, 1048576], got 0"));
    assertTrue(
        messages(
                assertThrows(
                    Exception.class,
                    () ->
                        vec(frame)
                            .option("partitioning", "kmeans")
                            .option("shards", "four")
                            .save(path)))
            .contains("option 'shards' must be an integer"));
    assertTrue(
        messages(assertThrows(Exception.class, () -> vec(frame).option("shards", "4").save(path)))
            .contains("option 'shards' applies to clustered writes only"));
    for (String bad : List.of("-0.1", "1.5", "wide", "NaN")) {
      assertTrue(
          messages(
                  assertThrows(
                      Exception.class,
                      () ->
                          vec(frame)
                              .option("partitioning", "kmeans")
                              .option("boundaryReplicas", bad)
                              .save(path)))
              .contains(
                  "option 'boundaryReplicas': expected a number in [0, 1.0] (e.g. 0.1), got '"
                      + bad
                      + "'"),
          bad);
    }
    assertTrue(
        messages(
                assertThrows(
                    Exception.class, () -> vec(frame).option("boundaryReplicas", "0.1").save(path)))
            .contains("option 'boundaryReplicas' applies to clustered writes only"));

    // clustered rows cannot join an unclustered dataset, nor a new shard count a clustered one
    vec(frame).save(path);
    assertTrue(
        messages(
                assertThrows(
                    Exception.class,
                    () ->
                        vec(frame.selectExpr("id + 1000 as id", "embedding", "label"))
                            .mode("append")
                            .option("partitioning", "kmeans")
                            .save(path)))
            .contains("cannot append clustered rows to " + path));
    String clustered = temp.resolve("clustered-bad").toString();
    vec(frame).option("partitioning", "kmeans").option("shards", "2").save(clustered);
    assertTrue(
        messages(
                assertThrows(
                    Exception.class,
                    () ->
                        vec(frame.selectExpr("id + 1000 as id", "embedding", "label"))
                            .mode("append")
                            .option("partitioning", "kmeans")
                            .option("shards", "5")
                            .save(clustered)))
            .contains("option 'shards': " + clustered + " is clustered already"));

    // a corrupt centroids file is named when an append reads it
    VecManifest manifest = DatasetDirectory.of(clustered).requireManifest();
    Path file = Path.of(clustered, manifest.centroids().file());
    byte[] bytes = Files.readAllBytes(file);
    bytes[40] ^= 1;
    Files.write(file, bytes);
    String error =
        messages(
            assertThrows(
                Exception.class,
                () ->
                    vec(frame.selectExpr("id + 1000 as id", "embedding", "label"))
                        .mode("append")
                        .save(clustered)));
    assertTrue(error.contains(file.toString()) && error.contains("CRC32C"), error);
  }
}
