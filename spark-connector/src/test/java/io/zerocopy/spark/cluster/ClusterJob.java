package io.zerocopy.spark.cluster;

import io.zerocopy.spark.VecDatasets;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.index.VecIndexTest;
import io.zerocopy.spark.join.KnnJoin;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The job {@link LocalClusterTest} runs twice, on a multi-process {@code local-cluster} and on the
 * shared {@code local[2,2]} session: deterministic rows (a range in 2 partitions, vectors computed
 * from the id) written with {@code index=hnsw} on one thread per task, and a second copy indexed by
 * {@link VecDatasets#buildIndex}; the result is every shard's CRC32Cs and merged search results.
 * With one build thread and a fixed seed, both runs must give the same bytes and the same answers.
 * Then the joins: knnJoin with both strategies (approximate and exact) and NEAREST BY, whose
 * neighbours must also agree.
 */
public final class ClusterJob {

  static final int COUNT = 2000;
  static final int DIMENSION = 24;

  static final StructType SCHEMA =
      DataTypes.createStructType(
          new StructField[] {
            DataTypes.createStructField("id", DataTypes.LongType, false),
            DataTypes.createStructField(
                "embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false),
            DataTypes.createStructField("label", DataTypes.IntegerType, false)
          });

  private ClusterJob() {}

  /** Vector of an id: one of 8 Gaussian clusters, from seeds only. */
  static float[] vector(long id) {
    Random centers = new Random(7 + id % 8);
    Random noise = new Random(1000 + id);
    float[] v = new float[DIMENSION];
    for (int j = 0; j < DIMENSION; j++) {
      v[j] = (float) (centers.nextGaussian() * 4 + noise.nextGaussian());
    }
    return v;
  }

  static Dataset<Row> frame(SparkSession spark) {
    return spark
        .range(0, COUNT, 1, 2)
        .map(
            (MapFunction<Long, Row>) id -> RowFactory.create(id, vector(id), (int) (id % 8)),
            Encoders.row(SCHEMA));
  }

  /** Writes and indexes the datasets under {@code dir}; returns the result to compare. */
  public static String run(SparkSession spark, Path dir) throws Exception {
    String written = dir.resolve("written").toString();
    String later = dir.resolve("indexed-later").toString();
    frame(spark)
        .write()
        .format("vec")
        .option("vectorColumn", "embedding")
        .option("idColumn", "id")
        .option("index", "hnsw")
        .option("m", "8")
        .option("efConstruction", "64")
        .option("indexThreads", "1")
        .save(written);
    frame(spark)
        .write()
        .format("vec")
        .option("vectorColumn", "embedding")
        .option("idColumn", "id")
        .save(later);
    VecDatasets.buildIndex(
        spark, later, Map.of("m", "8", "efConstruction", "64", "indexThreads", "1"));
    StringBuilder result = new StringBuilder();
    for (String path : List.of(written, later)) {
      VecManifest manifest = DatasetDirectory.of(path).requireManifest();
      for (ShardEntry shard : manifest.shards()) {
        result
            .append("shard ")
            .append(shard.count())
            .append(" vec ")
            .append(shard.vec().crc32cHex())
            .append(" hnsw ")
            .append(shard.index().crc32cHex())
            .append('\n');
      }
      for (int q = 0; q < 10; q++) {
        float[] query = vector(q * 37L);
        query[0] += 0.5f;
        result.append("query ").append(q).append(' ');
        result.append(VecIndexTest.search(path, query, 10)).append('\n');
      }
    }
    result.append("rows ").append(spark.read().format("vec").load(written).count()).append('\n');
    joins(spark, written, result);
    return result.toString();
  }

  /**
   * Both join strategies, approximate and exact, and NEAREST BY: the executors map the shards and
   * search them. Every variant's neighbour ids per query go into the result.
   */
  private static void joins(SparkSession spark, String path, StringBuilder result) {
    List<Row> rows = new java.util.ArrayList<>();
    for (int q = 0; q < 24; q++) {
      float[] query = vector(q * 53L + 11);
      query[1] -= 0.25f;
      rows.add(RowFactory.create((long) q, query));
    }
    StructType schema =
        DataTypes.createStructType(
            new StructField[] {
              DataTypes.createStructField("qid", DataTypes.LongType, false),
              DataTypes.createStructField(
                  "qv", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            });
    Dataset<Row> queries = spark.createDataFrame(rows, schema).repartition(2);
    for (String strategy : List.of("replicated", "partitioned")) {
      for (String exact : List.of("false", "true")) {
        Dataset<Row> joined =
            KnnJoin.knnJoin(
                queries, "qv", path, 5, Map.of("strategy", strategy, "exact", exact, "ef", "40"));
        result.append("knnJoin ").append(strategy).append(" exact=").append(exact).append('\n');
        append(result, joined.selectExpr("qid", "neighbor_id AS id", "rank"));
      }
    }
    queries.createOrReplaceTempView("cluster_queries");
    spark.read().format("vec").load(path).createOrReplaceTempView("cluster_items");
    for (String kind : List.of("APPROX", "EXACT")) {
      Dataset<Row> joined =
          spark.sql(
              "SELECT q.qid, d.id FROM cluster_queries q JOIN cluster_items d "
                  + kind
                  + " NEAREST 5 BY DISTANCE vector_l2_distance(q.qv, d.vector)");
      String plan = joined.queryExecution().executedPlan().toString();
      result.append("nearest ").append(kind).append(" ours=").append(plan.contains("ZeroCopy"));
      result.append('\n');
      append(result, joined.selectExpr("qid", "id", "0 AS rank"));
    }
  }

  /** Per query, its neighbour ids in rank order (ties in id order when ranks are equal). */
  private static void append(StringBuilder result, Dataset<Row> qidIdRank) {
    for (Row row : qidIdRank.orderBy("qid", "rank", "id").collectAsList()) {
      result.append(row.getLong(0)).append(':').append(row.get(1)).append(' ');
    }
    result.append('\n');
  }

  /**
   * The Vector API module, native access and on JDK 17 the incubating FFM module (the engine's
   * madvise), and on JDK 23+ the Unsafe memory access that Arrow's Netty allocator needs (the write
   * tasks use Arrow).
   */
  static String executorJavaOptions() {
    return "--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
        + (Runtime.version().feature() >= 23 ? " --sun-misc-unsafe-memory-access=allow" : "")
        + (Runtime.version().feature() == 17 ? " --add-modules=jdk.incubator.foreign" : "");
  }

  /** A job run by a child driver JVM: its result text from a session and a working directory. */
  interface DriverJob {
    String run(SparkSession spark, Path dir) throws Exception;
  }

  /**
   * The driver side of the cluster tests: {@code args} are {@code <master> <jar> <dir>}; builds the
   * session (connector jar shipped to the executors, driver on 127.0.0.1, {@code extraConf} on
   * top), runs {@code job} and prints its result between the markers {@link LocalClusterTest}
   * reads.
   */
  static void runAsDriver(
      String[] args, String appName, java.util.Map<String, String> extraConf, DriverJob job)
      throws Exception {
    SparkSession.Builder builder =
        SparkSession.builder()
            .master(args[0])
            .appName(appName)
            .config("spark.jars", args[1])
            .config("spark.executor.extraJavaOptions", executorJavaOptions())
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.adaptive.enabled", "false");
    extraConf.forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    try {
      String result = job.run(spark, Path.of(args[2]));
      System.out.println("=== result begin");
      System.out.print(result);
      System.out.println("=== result end");
    } finally {
      spark.stop();
    }
  }

  /** Child JVM entry: {@code ClusterJob <master> <jar> <dir>}; prints the result. */
  public static void main(String[] args) throws Exception {
    runAsDriver(
        args,
        "zero-copy-search local-cluster test",
        java.util.Map.of("spark.sql.extensions", "io.zerocopy.spark.ZeroCopyExtensions"),
        ClusterJob::run);
  }
}
