package io.zerocopy.spark.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.spark.SparkTestBase;
import io.zerocopy.spark.VecDatasets;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.RetiredFiles;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class VecDataSourceTest extends SparkTestBase {

  private static final StructType ML_VECTOR =
      DataTypes.createStructType(
          new StructField[] {
            DataTypes.createStructField("type", DataTypes.ByteType, false),
            DataTypes.createStructField("size", DataTypes.IntegerType, true),
            DataTypes.createStructField(
                "indices", DataTypes.createArrayType(DataTypes.IntegerType, false), true),
            DataTypes.createStructField(
                "values", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
          });

  @TempDir Path temp;

  enum VectorKind {
    FLOATS,
    DOUBLES,
    ML_DENSE,
    ML_SPARSE
  }

  enum IdKind {
    LONG,
    INT,
    STRING
  }

  static Stream<Arguments> vectorAndIdKinds() {
    List<Arguments> all = new ArrayList<>();
    for (VectorKind vector : VectorKind.values()) {
      for (IdKind id : IdKind.values()) {
        all.add(Arguments.of(vector, id));
      }
    }
    return all.stream();
  }

  /** The i-th test vector: small exact floats, some zeros (for sparse vectors). */
  static float[] vector(int i, int dimension) {
    float[] v = new float[dimension];
    for (int j = 0; j < dimension; j++) {
      v[j] = (i + j) % 3 == 0 ? 0f : i * 0.5f - j * 0.25f;
    }
    return v;
  }

  static Object encode(VectorKind kind, float[] v) {
    switch (kind) {
      case FLOATS:
        return v;
      case DOUBLES:
        {
          double[] d = new double[v.length];
          for (int j = 0; j < v.length; j++) {
            d[j] = v[j];
          }
          return d;
        }
      case ML_DENSE:
        return RowFactory.create((byte) 1, null, null, (double[]) encode(VectorKind.DOUBLES, v));
      default:
        {
          List<Integer> indices = new ArrayList<>();
          List<Double> values = new ArrayList<>();
          for (int j = 0; j < v.length; j++) {
            if (v[j] != 0f) {
              indices.add(j);
              values.add((double) v[j]);
            }
          }
          return RowFactory.create(
              (byte) 0,
              v.length,
              indices.stream().mapToInt(Integer::intValue).toArray(),
              values.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }
  }

  static DataType vectorType(VectorKind kind) {
    return switch (kind) {
      case FLOATS -> DataTypes.createArrayType(DataTypes.FloatType, false);
      case DOUBLES -> DataTypes.createArrayType(DataTypes.DoubleType, true);
      case ML_DENSE, ML_SPARSE -> ML_VECTOR;
    };
  }

  static DataType idType(IdKind kind) {
    return switch (kind) {
      case LONG -> DataTypes.LongType;
      case INT -> DataTypes.IntegerType;
      case STRING -> DataTypes.StringType;
    };
  }

  static Object id(IdKind kind, int i) {
    return switch (kind) {
      case LONG -> 1_000_000_000_000L + i;
      case INT -> i;
      case STRING -> "doc-" + i;
    };
  }

  /** Rows (id, embedding, label, score, tags) with ids first..first+count-1. */
  static Dataset<Row> data(
      VectorKind vectorKind, IdKind idKind, int first, int count, int dimension, int partitions) {
    StructType schema =
        DataTypes.createStructType(
            new StructField[] {
              DataTypes.createStructField("key", idType(idKind), false),
              DataTypes.createStructField("embedding", vectorType(vectorKind), true),
              DataTypes.createStructField("label", DataTypes.StringType, true),
              DataTypes.createStructField("score", DataTypes.DoubleType, false),
              DataTypes.createStructField(
                  "tags", DataTypes.createArrayType(DataTypes.IntegerType), true)
            });
    List<Row> rows = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      rows.add(
          RowFactory.create(
              id(idKind, i),
              encode(vectorKind, vector(i, dimension)),
              i % 4 == 0 ? null : "label " + i,
              i * 1.5,
              i % 5 == 0 ? null : new int[] {i, i + 1}));
    }
    return frame(rows, schema, partitions);
  }

  static DataFrameWriter<Row> vec(Dataset<Row> df) {
    return df.write().format("vec").option("vectorColumn", "embedding").option("idColumn", "key");
  }

  /** Reads a dataset back as id → "vector|label|score|tags" for comparison. */
  static Map<String, String> readBack(String path) {
    Map<String, String> out = new TreeMap<>();
    for (Row row : spark().read().format("vec").load(path).collectAsList()) {
      List<Float> vector = row.getList(1);
      String previous =
          out.put(
              String.valueOf(row.get(0)),
              vector + "|" + row.get(2) + "|" + row.get(3) + "|" + row.getList(4));
      assertEquals(null, previous, "duplicate id read back: " + row.get(0));
    }
    return out;
  }

  static Map<String, String> expected(IdKind idKind, int first, int count, int dimension) {
    Map<String, String> out = new TreeMap<>();
    for (int i = first; i < first + count; i++) {
      List<Float> vector = new ArrayList<>();
      for (float f : vector(i, dimension)) {
        vector.add(f);
      }
      out.put(
          String.valueOf(id(idKind, i)),
          vector
              + "|"
              + (i % 4 == 0 ? null : "label " + i)
              + "|"
              + i * 1.5
              + "|"
              + (i % 5 == 0 ? null : List.of(i, i + 1)));
    }
    return out;
  }

  /** Names of the files in a dataset directory, hidden ones included. */
  static Set<String> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return Set.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      Set<String> names = new TreeSet<>();
      list.forEach(p -> names.add(p.getFileName().toString()));
      return names;
    }
  }

  /** The manifest plus exactly the files it lists (shards and retired ones): no stray files. */
  static void assertOnlyManifestFiles(Path dir) throws IOException {
    VecManifest manifest = DatasetDirectory.of(dir.toString()).requireManifest();
    Set<String> expected = new TreeSet<>();
    expected.add(DatasetDirectory.VERSIONS);
    manifest.shards().forEach(shard -> expected.addAll(shard.files()));
    manifest.retired().forEach(file -> expected.add(file.file()));
    assertEquals(expected, files(dir));
  }

  @ParameterizedTest
  @MethodSource("vectorAndIdKinds")
  void roundTripsEveryVectorAndIdType(VectorKind vectorKind, IdKind idKind) throws IOException {
    String path = temp.resolve("ds").toString();
    vec(data(vectorKind, idKind, 0, 23, 5, 3)).save(path);

    assertEquals(expected(idKind, 0, 23, 5), readBack(path));
    VecManifest manifest = DatasetDirectory.of(path).requireManifest();
    assertEquals(5, manifest.dimension());
    assertEquals(23, manifest.count());
    assertEquals("key", manifest.idColumn());
    assertEquals(List.of("label", "score", "tags"), List.of(manifest.carriedSchema().fieldNames()));
    assertOnlyManifestFiles(temp.resolve("ds"));
    // numpy's view of a shard: 32-byte header, then little-endian float32 rows
    Path vecFile = temp.resolve("ds").resolve(manifest.shards().get(0).vec().file());
    assertEquals(32 + manifest.shards().get(0).count() * 5 * 4, Files.size(vecFile));
  }

  @Test
  void idsThatLookLikePathsAreOnlyData() throws IOException {
    StructType schema =
        DataTypes.createStructType(
            new StructField[] {
              DataTypes.createStructField("key", DataTypes.StringType, false),
              DataTypes.createStructField(
                  "embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            });
    List<String> ids = List.of("../../escape", "/etc/passwd", "..", "a/b", "c:\\x");
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      rows.add(RowFactory.create(ids.get(i), new float[] {i, 1}));
    }
    Path target = temp.resolve("area").resolve("ds");
    vec(frame(rows, schema, 2)).save(target.toString());
    try (java.util.stream.Stream<Path> files = Files.walk(temp)) {
      for (Path file : files.toList()) {
        Path versions = target.resolve(DatasetDirectory.VERSIONS);
        if (file.startsWith(versions) && !file.equals(versions)) {
          assertEquals(versions, file.getParent(), file.toString());
          assertTrue(file.getFileName().toString().matches("\\d{20}\\.json"), file.toString());
        } else if (file.startsWith(target) && !file.equals(target)) {
          assertEquals(target, file.getParent(), file.toString());
          assertTrue(
              file.getFileName()
                  .toString()
                  .matches("_manifests|part-\\d{5}-[0-9a-f-]{36}-\\d+\\.(vec|ids\\.arrow)"),
              file.toString());
        } else {
          assertTrue(Files.isDirectory(file), "written outside the dataset: " + file);
        }
      }
    }
    List<String> read = new ArrayList<>();
    for (Row row : spark().read().format("vec").load(target.toString()).collectAsList()) {
      read.add(row.getString(0));
    }
    assertEquals(new java.util.TreeSet<>(ids), new java.util.TreeSet<>(read));
  }

  @Test
  void aHugeRowsPerPartitionReadsEachShardWhole() {
    String path = temp.resolve("ds").toString();
    vec(data(VectorKind.FLOATS, IdKind.LONG, 0, 40, 3, 2)).option("batchRows", "8").save(path);
    for (String rows : List.of("9223372036854775807", "8800000000000", "2147483648")) {
      Dataset<Row> df = spark().read().format("vec").option("rowsPerPartition", rows).load(path);
      assertEquals(2, df.rdd().getNumPartitions(), rows); // one per shard, none negative
      assertEquals(40, df.count(), rows);
    }
  }

  @Test
  void readsSchemaPrunesColumnsAndSplitsLargeShards() {
    String path = temp.resolve("ds").toString();
    vec(data(VectorKind.FLOATS, IdKind.LONG, 0, 100, 3, 2)).option("batchRows", "8").save(path);

    Dataset<Row> df = spark().read().format("vec").option("rowsPerPartition", "16").load(path);
    assertEquals(
        List.of("id", "vector", "label", "score", "tags"), List.of(df.schema().fieldNames()));
    assertEquals(
        DataTypes.createArrayType(DataTypes.FloatType, false),
        df.schema().apply("vector").dataType());
    // two shards of about 50 rows, 16 rows (two batches) per partition: at least 4 partitions
    assertTrue(df.rdd().getNumPartitions() >= 6, "partitions: " + df.rdd().getNumPartitions());
    assertEquals(100, df.count());
    assertEquals(100, df.select("id").distinct().count());
    assertEquals(100, df.select("vector").collectAsList().size());
    List<Row> some = df.select("score", "id").where("id = 1000000000042").collectAsList();
    assertEquals(List.of(RowFactory.create(63.0, 1_000_000_000_042L)), some);
  }

  @Test
  void appendsAndOverwrites() throws IOException {
    Path dir = temp.resolve("ds");
    String path = dir.toString();
    vec(data(VectorKind.FLOATS, IdKind.LONG, 0, 10, 4, 2)).save(path);
    vec(data(VectorKind.DOUBLES, IdKind.LONG, 10, 10, 4, 2)).mode(SaveMode.Append).save(path);

    assertEquals(expected(IdKind.LONG, 0, 20, 4), readBack(path));
    assertOnlyManifestFiles(dir);

    Set<String> before = files(dir);
    vec(data(VectorKind.FLOATS, IdKind.LONG, 100, 5, 4, 1)).mode(SaveMode.Overwrite).save(path);
    assertEquals(expected(IdKind.LONG, 100, 5, 4), readBack(path));
    assertOnlyManifestFiles(dir);
    // the replaced shards are retired, not deleted: a query planned before can still read them
    Set<String> retired = new TreeSet<>();
    DatasetDirectory.of(path).requireManifest().retired().forEach(f -> retired.add(f.file()));
    before.remove(DatasetDirectory.VERSIONS);
    assertEquals(before, retired);

    // ignore keeps the dataset; errorifexists refuses
    vec(data(VectorKind.FLOATS, IdKind.LONG, 0, 3, 4, 1)).mode(SaveMode.Ignore).save(path);
    assertEquals(expected(IdKind.LONG, 100, 5, 4), readBack(path));
    Exception error =
        assertThrows(
            Exception.class,
            () -> vec(data(VectorKind.FLOATS, IdKind.LONG, 0, 3, 4, 1)).save(path));
    assertTrue(messages(error).contains("already exists at " + path), messages(error));
  }

  @Test
  void taskFailingOnItsFirstAttemptIsRetriedWithoutStrayFiles() throws IOException {
    Path dir = temp.resolve("ds");
    System.setProperty("zcs.test.failFirstAttemptOfPartition", "1");
    try {
      vec(data(VectorKind.FLOATS, IdKind.INT, 0, 30, 3, 3)).save(dir.toString());
    } finally {
      System.clearProperty("zcs.test.failFirstAttemptOfPartition");
    }
    assertEquals(expected(IdKind.INT, 0, 30, 3), readBack(dir.toString()));
    assertOnlyManifestFiles(dir);
    assertEquals(3, DatasetDirectory.of(dir.toString()).requireManifest().shards().size());
  }

  @Test
  void sqlThroughATemporaryView() {
    String path = temp.resolve("ds").toString();
    vec(data(VectorKind.FLOATS, IdKind.STRING, 0, 12, 2, 2)).save(path);
    sql("CREATE OR REPLACE TEMPORARY VIEW vectors USING vec OPTIONS (path '" + path + "')");
    List<Row> rows = sql("SELECT count(*), max(score) FROM vectors").collectAsList();
    assertEquals(List.of(RowFactory.create(12L, 16.5)), rows);
  }

  @Test
  void writesAColumnTypedAsTheMlVectorUdt() {
    StructType schema =
        DataTypes.createStructType(
            new StructField[] {
              DataTypes.createStructField("key", DataTypes.LongType, false),
              DataTypes.createStructField("embedding", new MlVectorUdt(), true)
            });
    List<Row> rows = new ArrayList<>();
    for (long i = 0; i < 6; i++) {
      rows.add(RowFactory.create(i, new MlVectorUdt.DenseVector(new double[] {i, -i, 0.5})));
    }
    String path = temp.resolve("ds").toString();
    vec(frame(rows, schema, 2)).save(path);
    Map<Long, List<Float>> back = new TreeMap<>();
    for (Row row : spark().read().format("vec").load(path).collectAsList()) {
      back.put(row.getLong(0), row.getList(1));
    }
    assertEquals(6, back.size());
    assertEquals(List.of(3f, -3f, 0.5f), back.get(3L));
  }

  @Test
  void emptyDataFrameMakesAnEmptyDatasetThatAcceptsAppends() {
    String path = temp.resolve("ds").toString();
    vec(data(VectorKind.FLOATS, IdKind.LONG, 0, 0, 3, 2)).save(path);
    VecManifest manifest = DatasetDirectory.of(path).requireManifest();
    assertEquals(0, manifest.shards().size());
    assertEquals(0, spark().read().format("vec").load(path).count());
    vec(data(VectorKind.FLOATS, IdKind.LONG, 0, 5, 3, 2)).mode(SaveMode.Append).save(path);
    assertEquals(expected(IdKind.LONG, 0, 5, 3), readBack(path));
  }

  @Test
  void readersDuringOverwritesSeeTheOldOrTheNewDatasetNeverAnError() throws Exception {
    Path dir = temp.resolve("ds");
    String path = dir.toString();
    Map<String, String> first = expected(IdKind.LONG, 0, 40, 4);
    Map<String, String> second = expected(IdKind.LONG, 1000, 30, 4);
    vec(data(VectorKind.FLOATS, IdKind.LONG, 0, 40, 4, 2)).save(path);
    java.util.concurrent.atomic.AtomicBoolean writing =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.ConcurrentLinkedQueue<String> problems =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    java.util.concurrent.atomic.AtomicInteger reads =
        new java.util.concurrent.atomic.AtomicInteger();
    Thread reader =
        new Thread(
            () -> {
              while (writing.get()) {
                try {
                  Map<String, String> seen = readBack(path);
                  if (!seen.equals(first) && !seen.equals(second)) {
                    problems.add("mixed or partial read of " + seen.size() + " rows");
                  }
                  reads.incrementAndGet();
                } catch (Throwable e) { // SparkException is checked, but Scala throws it anyway
                  problems.add(messages(e));
                }
              }
            });
    reader.start();
    try {
      for (int i = 0; i < 6; i++) {
        Dataset<Row> next =
            i % 2 == 0
                ? data(VectorKind.FLOATS, IdKind.LONG, 1000, 30, 4, 3)
                : data(VectorKind.FLOATS, IdKind.LONG, 0, 40, 4, 2);
        vec(next).mode(SaveMode.Overwrite).save(path);
      }
    } finally {
      writing.set(false);
      reader.join();
    }
    assertEquals(List.of(), List.copyOf(problems), "after " + reads.get() + " reads");
    assertTrue(reads.get() > 0);
    assertEquals(first, readBack(path));
    assertOnlyManifestFiles(dir);

    // retention 0: the next commit deletes every retired file
    spark().conf().set(RetiredFiles.RETENTION_CONF, "0");
    try {
      vec(data(VectorKind.FLOATS, IdKind.LONG, 1000, 30, 4, 1)).mode(SaveMode.Overwrite).save(path);
    } finally {
      spark().conf().unset(RetiredFiles.RETENTION_CONF);
    }
    assertEquals(second, readBack(path));
    assertEquals(List.of(), DatasetDirectory.of(path).requireManifest().retired());
    assertOnlyManifestFiles(dir);
  }

  @Test
  void vacuumDeletesRetiredFilesAndOldOrphansOnly() throws IOException {
    Path dir = temp.resolve("ds");
    String path = dir.toString();
    vec(data(VectorKind.FLOATS, IdKind.LONG, 0, 10, 3, 2)).save(path);
    vec(data(VectorKind.FLOATS, IdKind.LONG, 0, 10, 3, 1)).mode(SaveMode.Overwrite).save(path);
    VecManifest manifest = DatasetDirectory.of(path).requireManifest();
    assertEquals(4, manifest.retired().size()); // .vec and .ids.arrow of two replaced shards
    Path orphan = Files.write(dir.resolve("part-00007-crashed-0.vec"), new byte[] {1, 2});
    Files.setLastModifiedTime(
        orphan,
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 7_200_000));
    Path fresh = Files.write(dir.resolve("part-00008-running-0.vec"), new byte[] {3});
    Path users = Files.write(dir.resolve("notes.txt"), new byte[] {4});
    Path hiddenUsers = Files.write(dir.resolve(".notes.txt.tmp"), new byte[] {4});
    // what crashed writers and builds leave: hidden temporaries of shard files
    List<Path> crashed = new java.util.ArrayList<>();
    for (String name :
        List.of(
            ".part-00009-crashed-0.vec.1b4e28ba-2fa1-11d2-883f-0016d3cca427.tmp",
            ".part-00009-crashed-0.ids.arrow.tmp",
            ".part-00009-crashed-0-build-0.hnsw.6fa459ea-ee8a-3ca4-894e-db77e160355e.tmp")) {
      Path file = Files.write(dir.resolve(name), new byte[] {5});
      Files.setLastModifiedTime(
          file,
          java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 7_200_000));
      crashed.add(file);
    }

    assertEquals(List.of(), VecDatasets.vacuum(spark(), path, "3h"), "nothing is old enough");
    List<String> deleted = VecDatasets.vacuum(spark(), path, null); // the default, 1h
    List<String> expectedOld = new java.util.ArrayList<>();
    expectedOld.add(orphan.getFileName().toString());
    crashed.forEach(file -> expectedOld.add(file.getFileName().toString()));
    assertEquals(new java.util.TreeSet<>(expectedOld), new java.util.TreeSet<>(deleted));
    deleted = VecDatasets.vacuum(spark(), path, "0");
    assertEquals(5, deleted.size(), deleted.toString()); // 4 retired + the running write's file
    assertFalse(Files.exists(fresh));
    assertTrue(Files.exists(users));
    assertTrue(Files.exists(hiddenUsers), "not a temporary of ours");
    assertEquals(expected(IdKind.LONG, 0, 10, 3), readBack(path));
    Exception error =
        assertThrows(
            IllegalArgumentException.class, () -> VecDatasets.vacuum(spark(), path, "soon"));
    assertTrue(error.getMessage().contains("spark.zerocopy.vec.retention"), error.getMessage());
  }

  @Test
  void failedOverwriteKeepsTheOldDataset() throws IOException {
    Path dir = temp.resolve("ds");
    vec(data(VectorKind.FLOATS, IdKind.LONG, 0, 10, 3, 2)).save(dir.toString());
    // ids 0..4 twice: the duplicate is found at commit, after every task has written its shard
    Dataset<Row> twice =
        data(VectorKind.FLOATS, IdKind.LONG, 0, 5, 3, 1)
            .union(data(VectorKind.FLOATS, IdKind.LONG, 0, 5, 3, 1));
    Exception error =
        assertThrows(
            Exception.class, () -> vec(twice).mode(SaveMode.Overwrite).save(dir.toString()));
    assertTrue(messages(error).contains("duplicate id 100000000000"), messages(error));
    assertEquals(expected(IdKind.LONG, 0, 10, 3), readBack(dir.toString()));
    assertOnlyManifestFiles(dir);
  }

  // ---- errors: each names what is wrong, and leaves nothing behind ----

  private void assertWriteFails(Dataset<Row> df, Map<String, String> options, String... expected)
      throws IOException {
    Path dir = temp.resolve("failed");
    Exception error =
        assertThrows(
            Exception.class, () -> df.write().format("vec").options(options).save(dir.toString()));
    String all = messages(error);
    for (String text : expected) {
      assertTrue(all.contains(text), "expected '" + text + "' in:\n" + all);
    }
    assertEquals(Set.of(), files(dir), "a failed write must leave nothing");
  }

  private static Map<String, String> options(String... keyValues) {
    Map<String, String> map = new TreeMap<>();
    map.put("vectorColumn", "embedding");
    map.put("idColumn", "key");
    for (int i = 0; i < keyValues.length; i += 2) {
      if (keyValues[i + 1] == null) {
        map.remove(keyValues[i]);
      } else {
        map.put(keyValues[i], keyValues[i + 1]);
      }
    }
    return map;
  }

  @Test
  void rejectsBadOptions() throws IOException {
    Dataset<Row> df = data(VectorKind.FLOATS, IdKind.LONG, 0, 4, 3, 1);
    assertWriteFails(df, options("vectorColumn", null), "option 'vectorColumn' is required");
    assertWriteFails(
        df, options("vectorColum", "x"), "unknown vec write option vectorColum", "idColumn");
    assertWriteFails(df, options("metric", "hamming"), "hamming", "l2, cosine, dot");
    assertWriteFails(df, options("index", "ivf"), "option 'index'", "none, hnsw");
    assertWriteFails(df, options("efConstruction", "0"), "option 'efConstruction' must be in");
    assertWriteFails(df, options("m", "1"), "option 'm' must be in [2, 512]");
    assertWriteFails(df, options("vectorColumn", "nope"), "vector column 'nope'", "embedding");
    assertWriteFails(df, options("idColumn", "nope"), "id column 'nope'");
    assertWriteFails(df, options("vectorColumn", "label"), "vector column 'label' has type string");
    assertWriteFails(df, options("idColumn", "score"), "id column 'score' has type double");
  }

  @Test
  void rejectsBadRows() throws IOException {
    StructType schema =
        DataTypes.createStructType(
            new StructField[] {
              DataTypes.createStructField("key", DataTypes.LongType, true),
              DataTypes.createStructField(
                  "embedding", DataTypes.createArrayType(DataTypes.FloatType), true)
            });
    List<Row> nullVector =
        List.of(RowFactory.create(1L, new float[] {1f}), RowFactory.create(7L, null));
    assertWriteFails(
        frame(nullVector, schema, 1), options(), "vector column 'embedding' is null", "id 7");
    // one bad row among many: the other tasks commit their shards, the job aborts, abort deletes
    // them
    List<Row> manyAndOneNull = new ArrayList<>();
    for (long i = 0; i < 40; i++) {
      manyAndOneNull.add(RowFactory.create(i, i == 33 ? null : new float[] {i}));
    }
    assertWriteFails(
        frame(manyAndOneNull, schema, 4), options(), "vector column 'embedding' is null", "id 33");
    List<Row> nullId = List.of(RowFactory.create(null, new float[] {1f}));
    assertWriteFails(frame(nullId, schema, 1), options(), "id column 'key' is null");
    List<Row> mixed =
        List.of(
            RowFactory.create(1L, new float[] {1f, 2f}), RowFactory.create(9L, new float[] {1f}));
    assertWriteFails(
        frame(mixed, schema, 1), options(), "id 9 has dimension 1", "id 1 has dimension 2");
    // the two rows land in different tasks: the commit names them
    assertWriteFails(
        spark()
            .createDataFrame(mixed.subList(0, 1), schema)
            .union(spark().createDataFrame(mixed.subList(1, 2), schema)),
        options(),
        "has dimension 1",
        "has dimension 2",
        "nothing was committed");
    List<Row> nan = List.of(RowFactory.create(3L, new float[] {1f, Float.NaN}));
    assertWriteFails(
        frame(nan, schema, 1), options(), "id 3 has a non-finite value NaN at index 1");
    List<Row> inf = List.of(RowFactory.create(4L, new double[] {Double.POSITIVE_INFINITY}));
    StructType doubles =
        DataTypes.createStructType(
            new StructField[] {
              schema.fields()[0],
              DataTypes.createStructField(
                  "embedding", DataTypes.createArrayType(DataTypes.DoubleType), true)
            });
    assertWriteFails(frame(inf, doubles, 1), options(), "id 4 has a non-finite value Infinity");
    List<Row> duplicates = new ArrayList<>();
    for (long i = 0; i < 10; i++) {
      duplicates.add(RowFactory.create(i % 7, new float[] {i}));
    }
    assertWriteFails(
        frame(duplicates, schema, 3), options(), "duplicate id ", "nothing was committed");
  }

  @Test
  void rejectsDuplicateIdsAndOtherDimensionsOnAppendAndKeepsTheDataset() throws IOException {
    Path dir = temp.resolve("ds");
    String path = dir.toString();
    vec(data(VectorKind.FLOATS, IdKind.STRING, 0, 10, 4, 2)).save(path);
    Exception duplicate =
        assertThrows(
            Exception.class,
            () ->
                vec(data(VectorKind.FLOATS, IdKind.STRING, 8, 4, 4, 1))
                    .mode(SaveMode.Append)
                    .save(path));
    assertTrue(messages(duplicate).contains("duplicate id \"doc-"), messages(duplicate));
    Exception dimension =
        assertThrows(
            Exception.class,
            () ->
                vec(data(VectorKind.FLOATS, IdKind.STRING, 20, 4, 3, 1))
                    .mode(SaveMode.Append)
                    .save(path));
    assertTrue(
        messages(dimension).contains("has dimension 3, but the dataset has dimension 4"),
        messages(dimension));
    assertEquals(expected(IdKind.STRING, 0, 10, 4), readBack(path));
    assertOnlyManifestFiles(dir);
  }

  @Test
  void rejectsPathsThatAreNotVecDatasetsAndDamagedShards() throws IOException {
    Path other = Files.createDirectories(temp.resolve("parquet"));
    Files.writeString(other.resolve("part-0.parquet"), "x");
    Exception read =
        assertThrows(Exception.class, () -> spark().read().format("vec").load(other.toString()));
    assertTrue(messages(read).contains(other + " is not a vec dataset"), messages(read));
    Exception write =
        assertThrows(
            Exception.class,
            () ->
                vec(data(VectorKind.FLOATS, IdKind.LONG, 0, 3, 2, 1))
                    .mode(SaveMode.Append)
                    .save(other.toString()));
    assertTrue(messages(write).contains("is not a vec dataset"), messages(write));
    assertEquals(Set.of("part-0.parquet"), files(other));

    Path dir = temp.resolve("ds");
    vec(data(VectorKind.FLOATS, IdKind.LONG, 0, 10, 2, 1)).save(dir.toString());
    VecManifest manifest = DatasetDirectory.of(dir.toString()).requireManifest();
    Path vecFile = dir.resolve(manifest.shards().get(0).vec().file());
    // same size, other bytes: only the checksum sees it
    byte[] bytes = Files.readAllBytes(vecFile);
    bytes[bytes.length - 1] ^= 1;
    Files.write(vecFile, bytes);
    assertEquals(10, spark().read().format("vec").load(dir.toString()).count());
    Exception checksum =
        assertThrows(
            Exception.class,
            () ->
                spark()
                    .read()
                    .format("vec")
                    .option("verifyChecksums", "true")
                    .load(dir.toString())
                    .collectAsList());
    assertTrue(messages(checksum).contains(vecFile + ": CRC32C differs"), messages(checksum));
    // truncated: the size check names the file before any task runs
    try (var channel = Files.newByteChannel(vecFile, StandardOpenOption.WRITE)) {
      channel.truncate(bytes.length - 4);
    }
    Exception size =
        assertThrows(
            Exception.class,
            () -> spark().read().format("vec").load(dir.toString()).collectAsList());
    assertTrue(messages(size).contains(vecFile + ": size differs"), messages(size));
    Exception unknown =
        assertThrows(
            Exception.class,
            () ->
                spark().read().format("vec").option("rowsPerPartitions", "3").load(dir.toString()));
    assertTrue(messages(unknown).contains("rowsPerPartition, verifyChecksums"), messages(unknown));
    assertTrue(
        messages(unknown).contains("unknown vec read option rowsPerPartitions"), messages(unknown));
    assertFalse(files(dir).isEmpty());
  }

  @Test
  void float32ValuesSurviveExactly() {
    String path = temp.resolve("ds").toString();
    StructType schema =
        DataTypes.createStructType(
            new StructField[] {
              DataTypes.createStructField("key", DataTypes.IntegerType, false),
              DataTypes.createStructField(
                  "embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            });
    float[] v = {Float.MIN_VALUE, -0f, Float.MAX_VALUE, 1e-30f, (float) Math.PI};
    vec(frame(List.of(RowFactory.create(1, v)), schema, 1)).save(path);
    Row row = spark().read().format("vec").load(path).collectAsList().get(0);
    List<Float> back = row.getList(1);
    float[] array = new float[back.size()];
    for (int i = 0; i < array.length; i++) {
      array[i] = back.get(i);
    }
    assertArrayEquals(v, array);
  }
}
