package io.zerocopy.spark.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.spark.SparkTestBase;
import io.zerocopy.spark.VecDatasets;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.execution.ui.SQLAppStatusStore;
import org.apache.spark.sql.execution.ui.SQLExecutionUIData;
import org.apache.spark.sql.execution.ui.SQLPlanMetric;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/** HNSW indexes built by the write job and by {@link VecDatasets#buildIndex}, on executors. */
public class VecIndexTest extends SparkTestBase {

  static final int COUNT = 600;
  static final int DIMENSION = 16;

  @TempDir Path temp;

  /** A Gaussian mixture: 8 clusters, fixed seed; row i has id 1000 + i and label i % 8. */
  public static float[][] vectors(int count, int dimension) {
    Random random = new Random(7);
    float[][] centers = new float[8][dimension];
    for (float[] center : centers) {
      for (int j = 0; j < dimension; j++) {
        center[j] = (float) random.nextGaussian() * 4;
      }
    }
    float[][] vectors = new float[count][dimension];
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < dimension; j++) {
        vectors[i][j] = centers[i % 8][j] + (float) random.nextGaussian();
      }
    }
    return vectors;
  }

  public static Dataset<Row> frame(float[][] vectors, int partitions) {
    StructType schema =
        DataTypes.createStructType(
            new StructField[] {
              DataTypes.createStructField("id", DataTypes.LongType, false),
              DataTypes.createStructField(
                  "embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false),
              DataTypes.createStructField("label", DataTypes.IntegerType, false)
            });
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < vectors.length; i++) {
      rows.add(RowFactory.create(1000L + i, vectors[i], i % 8));
    }
    return SparkTestBase.frame(rows, schema, partitions);
  }

  static DataFrameWriter<Row> vec(Dataset<Row> df) {
    return df.write().format("vec").option("vectorColumn", "embedding").option("idColumn", "id");
  }

  /** The k nearest ids over every shard's index, merged. */
  public static List<Long> search(String path, float[] query, int k) throws IOException {
    DatasetDirectory directory = DatasetDirectory.of(path);
    List<Neighbor> all = new ArrayList<>();
    List<Object> ids = new ArrayList<>();
    VecManifest manifest = directory.requireManifest();
    for (ShardEntry shard : manifest.shards()) {
      Object[] shardIds = ShardIds.read(directory, shard);
      try (HnswIndex index = ShardIndexes.open(directory, shard, manifest.dimension())) {
        for (Neighbor neighbor : index.search(query, k, 64)) {
          all.add(new Neighbor(ids.size(), neighbor.distance()));
          ids.add(shardIds[(int) neighbor.id()]);
        }
      }
    }
    all.sort(Comparator.naturalOrder());
    return all.stream().limit(k).map(n -> (Long) ids.get((int) n.id())).toList();
  }

  static List<Long> exact(float[][] vectors, float[] query, int k) {
    List<Neighbor> all = new ArrayList<>();
    for (int i = 0; i < vectors.length; i++) {
      all.add(new Neighbor(1000L + i, Distance.calculate(query, vectors[i], Metric.L2)));
    }
    all.sort(Comparator.naturalOrder());
    return all.stream().limit(k).map(Neighbor::id).toList();
  }

  public static double recall(String path, float[][] vectors) throws IOException {
    int hits = 0;
    int queries = 20;
    for (int q = 0; q < queries; q++) {
      float[] query = vectors[(q * 29) % vectors.length];
      Set<Long> truth = new HashSet<>(exact(vectors, query, 10));
      for (long id : search(path, query, 10)) {
        hits += truth.contains(id) ? 1 : 0;
      }
    }
    return hits / (queries * 10.0);
  }

  static Set<String> files(String path) throws IOException {
    try (Stream<Path> files = Files.list(Path.of(path))) {
      return files
          .map(f -> f.getFileName().toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /**
   * The manifest's files (shards and retired ones) plus the manifest: nothing else may be left in
   * the directory.
   */
  static Set<String> listed(VecManifest manifest) {
    Set<String> all = new TreeSet<>();
    all.add(DatasetDirectory.VERSIONS);
    all.addAll(manifest.files());
    manifest.retired().forEach(file -> all.add(file.file()));
    return all;
  }

  @Test
  void writeBuildsOneIndexPerShardOnTheExecutors() throws Exception {
    float[][] vectors = vectors(COUNT, DIMENSION);
    String path = temp.resolve("indexed").toString();
    vec(frame(vectors, 3))
        .option("index", "hnsw")
        .option("m", "8")
        .option("efConstruction", "64")
        .save(path);
    VecManifest manifest = DatasetDirectory.of(path).requireManifest();
    assertEquals(3, manifest.shards().size());
    for (ShardEntry shard : manifest.shards()) {
      assertNotNull(shard.index(), shard.name());
      Path file = Path.of(path, shard.index().file());
      assertEquals(shard.index().bytes(), Files.size(file));
      assertEquals(shard.index().crc32c(), DatasetDirectory.crc32c(file));
      assertTrue(shard.index().file().startsWith(shard.name()), shard.index().file());
    }
    assertEquals(listed(manifest), files(path));
    double recall = recall(path, vectors);
    assertTrue(recall >= 0.95, "recall@10 " + recall);
    assertEquals("3", metric("shards indexed"));
    assertTrue(metric("index build time").startsWith("total "), metric("index build time"));
    assertEquals(COUNT, spark().read().format("vec").load(path).count());
  }

  @Test
  void buildIndexIndexesAnExistingDatasetAndReplacesOldIndexes() throws Exception {
    float[][] vectors = vectors(COUNT, DIMENSION);
    String path = temp.resolve("later").toString();
    vec(frame(vectors, 2)).save(path);
    VecManifest before = DatasetDirectory.of(path).requireManifest();
    before.shards().forEach(shard -> assertEquals(null, shard.index()));

    IndexBuildResult result =
        VecDatasets.buildIndex(
            spark(), path, Map.of("m", "8", "efConstruction", "64", "indexThreads", "2"));
    VecManifest first = result.manifest();
    assertEquals(2, result.shards().size());
    for (IndexBuildResult.ShardBuild build : result.shards()) {
      assertEquals(2, build.threads());
      assertEquals("driver", build.executor()); // local mode
      assertTrue(build.buildNanos() > 0);
    }
    assertNotEquals(before.writeId(), first.writeId());
    assertEquals(first, DatasetDirectory.of(path).requireManifest());
    first.shards().forEach(shard -> assertNotNull(shard.index(), shard.name()));
    assertEquals(listed(first), files(path));
    assertTrue(recall(path, vectors) >= 0.95);
    assertEquals("2", metric("shards indexed"));

    VecManifest second = VecDatasets.buildIndex(spark(), path, Map.of("M", "12")).manifest();
    assertEquals(listed(second), files(path));
    // the first build's indexes are retired (kept for running queries), then vacuumed
    Set<String> firstIndexes = new TreeSet<>();
    first.shards().forEach(shard -> firstIndexes.add(shard.index().file()));
    Set<String> retired = new TreeSet<>();
    second.retired().forEach(file -> retired.add(file.file()));
    assertEquals(firstIndexes, retired);
    assertEquals(firstIndexes, new TreeSet<>(VecDatasets.vacuum(spark(), path, "0")));
    assertTrue(Collections.disjoint(firstIndexes, files(path)));
    assertTrue(recall(path, vectors) >= 0.95);
    assertEquals(COUNT, spark().read().format("vec").load(path).count());
  }

  @Test
  void appendWithIndexIndexesTheNewShards() throws Exception {
    float[][] vectors = vectors(COUNT, DIMENSION);
    String path = temp.resolve("append").toString();
    float[][] firstHalf = java.util.Arrays.copyOfRange(vectors, 0, COUNT / 2);
    vec(frame(firstHalf, 1)).option("index", "hnsw").option("m", "8").save(path);
    StructType schema = frame(firstHalf, 1).schema();
    List<Row> rest = new ArrayList<>();
    for (int i = COUNT / 2; i < COUNT; i++) {
      rest.add(RowFactory.create(1000L + i, vectors[i], i % 8));
    }
    vec(SparkTestBase.frame(rest, schema, 1))
        .mode("append")
        .option("index", "hnsw")
        .option("m", "8")
        .save(path);
    VecManifest manifest = DatasetDirectory.of(path).requireManifest();
    assertEquals(2, manifest.shards().size());
    manifest.shards().forEach(shard -> assertNotNull(shard.index()));
    assertTrue(recall(path, vectors) >= 0.95);
  }

  @Test
  void aFailedFirstAttemptLeavesNoIndexBehind() throws Exception {
    float[][] vectors = vectors(200, DIMENSION);
    String path = temp.resolve("retried").toString();
    System.setProperty("zcs.test.failFirstAttemptOfPartition", "1");
    try {
      vec(frame(vectors, 2)).option("index", "hnsw").option("m", "8").save(path);
    } finally {
      System.clearProperty("zcs.test.failFirstAttemptOfPartition");
    }
    VecManifest manifest = DatasetDirectory.of(path).requireManifest();
    assertEquals(200, manifest.count());
    assertEquals(listed(manifest), files(path));
  }

  @Test
  void rejectsBadIndexOptions() {
    Dataset<Row> df = frame(vectors(16, 4), 1);
    String path = temp.resolve("bad").toString();
    assertTrue(
        writeError(df, path, "metric", "hamming").contains("expected one of l2, cosine, dot"));
    assertTrue(writeError(df, path, "m", "1").contains("option 'm' must be in [2, 512], got 1"));
    assertTrue(writeError(df, path, "m", "600").contains("option 'm' must be in [2, 512]"));
    assertTrue(
        writeError(df, path, "efConstruction", "0")
            .contains("option 'efConstruction' must be in [1, 65536], got 0"));
    assertTrue(
        writeError(df, path, "indexThreads", "-1").contains("option 'indexThreads' must be in"));
    assertTrue(!Files.exists(Path.of(path)) || Path.of(path).toFile().list().length == 0);

    vec(df).save(path);
    String unknown =
        assertThrows(
                IllegalArgumentException.class,
                () -> VecDatasets.buildIndex(spark(), path, Map.of("ef", "10")))
            .getMessage();
    assertTrue(unknown.contains("unknown buildIndex option ef"), unknown);
    assertTrue(unknown.contains("efConstruction, indexThreads, m, metric"), unknown);
    String metric =
        assertThrows(
                IllegalArgumentException.class,
                () -> VecDatasets.buildIndex(spark(), path, Map.of("metric", "cosine")))
            .getMessage();
    assertTrue(metric.contains("has metric l2"), metric);
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> VecDatasets.buildIndex(spark(), path, Map.of("metric", "manhattan")))
            .getMessage()
            .contains("expected one of l2, cosine, dot"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> VecDatasets.buildIndex(spark(), path, Map.of("m", "513")))
            .getMessage()
            .contains("option 'm' must be in [2, 512], got 513"));
  }

  private String writeError(Dataset<Row> df, String path, String key, String value) {
    Exception error =
        assertThrows(
            Exception.class, () -> vec(df).option("index", "hnsw").option(key, value).save(path));
    return messages(error);
  }

  @Test
  void anIndexThatDiffersFromTheManifestIsRejectedNamingTheFile() throws Exception {
    String path = temp.resolve("corrupt").toString();
    vec(frame(vectors(100, 8), 1)).option("index", "hnsw").option("m", "8").save(path);
    DatasetDirectory directory = DatasetDirectory.of(path);
    ShardEntry shard = directory.requireManifest().shards().get(0);
    Path hnsw = Path.of(path, shard.index().file());
    try (RandomAccessFile file = new RandomAccessFile(hnsw.toFile(), "rw")) {
      file.seek(file.length() - 1);
      int last = file.read();
      file.seek(file.length() - 1);
      file.write(last ^ 0x5a);
    }
    String checksum =
        assertThrows(IOException.class, () -> ShardIndexes.open(directory, shard, 8)).getMessage();
    assertTrue(checksum.startsWith(hnsw + ": CRC32C differs from the manifest"), checksum);
    try (RandomAccessFile file = new RandomAccessFile(hnsw.toFile(), "rw")) {
      file.setLength(file.length() - 8);
    }
    String size =
        assertThrows(IOException.class, () -> ShardIndexes.open(directory, shard, 8)).getMessage();
    assertTrue(size.startsWith(hnsw + ": size differs from the manifest"), size);
  }

  /** The value of the newest execution's metric of that name, waiting for the listener. */
  static String metric(String name) throws InterruptedException {
    SQLAppStatusStore store =
        ((org.apache.spark.sql.classic.SparkSession) spark()).sharedState().statusStore();
    for (int attempt = 0; attempt < 100; attempt++) {
      List<SQLExecutionUIData> executions =
          new ArrayList<>(CollectionConverters.asJava(store.executionsList()));
      executions.sort((a, b) -> Long.compare(b.executionId(), a.executionId()));
      for (SQLExecutionUIData execution : executions) {
        for (SQLPlanMetric metric : CollectionConverters.asJava(execution.metrics())) {
          if (metric.name().equals(name)) {
            String value =
                CollectionConverters.asJava(store.executionMetrics(execution.executionId()))
                    .get(metric.accumulatorId());
            if (value != null) {
              return value.trim();
            }
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no metric '" + name + "' reported");
  }
}
