package io.zerocopy.bench.join;

import io.zerocopy.datasets.FashionMnist;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.hnsw.HnswParameters;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.FileEntry;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.join.KnnJoin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The batch kNN join benchmark, run by {@code bench/run-join-benchmarks.sh}: Fashion-MNIST train
 * images (the first {@code items}) as a vec dataset of {@code shards} HNSW-indexed shards and as
 * Parquet, the first {@code queries} test images as queries, k = 10, in one local Spark session.
 * Times (wall clock, one cold run each after a small warm-up) and recall@10 against exact search
 * for: our APPROX NEAREST, knnJoin replicated, knnJoin partitioned, and Spark 4.2's own APPROX
 * NEAREST on the Parquet copy (our rule declines). Writes a Markdown section to {@code out}.
 *
 * <p>Arguments: {@code items queries shards efConstruction ef cacheDir out}.
 */
public final class JoinBenchmark {

  static final int K = 10;

  public static void main(String[] args) throws Exception {
    int items = Integer.parseInt(args[0]);
    int queries = Integer.parseInt(args[1]);
    int shards = Integer.parseInt(args[2]);
    int efConstruction = Integer.parseInt(args[3]);
    int ef = Integer.parseInt(args[4]);
    Path cache = Paths.get(args[5]);
    Path out = Paths.get(args[6]);
    boolean lsh = args.length > 7 && args[7].equals("lsh");

    FashionMnist fashion = FashionMnist.standard();
    String trainPath = fashion.vectors(FashionMnist.Split.TRAIN).toString();
    String testPath = fashion.vectors(FashionMnist.Split.TEST).toString();

    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("zero-copy-search join benchmark")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.extensions", "io.zerocopy.spark.ZeroCopyExtensions")
            .config("spark.zerocopy.nearest.ef", String.valueOf(ef))
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");

    Path datasetDir = cache.resolve("fashion-" + items + "-" + shards + "-efc" + efConstruction);
    Path parquetDir = cache.resolve("fashion-" + items + ".parquet");
    long prepare = System.nanoTime();
    if (DatasetDirectory.of(datasetDir.toString())
        .readManifest()
        .filter(JoinBenchmark::indexed)
        .isEmpty()) {
      rows(spark, trainPath, items, shards)
          .write()
          .format("vec")
          .option("vectorColumn", "vector")
          .option("idColumn", "id")
          .option("metric", "l2")
          .mode("overwrite")
          .save(datasetDir.toString());
      buildIndexes(datasetDir.toString(), efConstruction);
    }
    if (!Files.isDirectory(parquetDir)) {
      rows(spark, trainPath, items, shards)
          .write()
          .mode("overwrite")
          .parquet(parquetDir.toString());
    }
    double prepareSeconds = (System.nanoTime() - prepare) / 1e9;

    // ground truth by exact search over the same items
    float[][] queryVectors = new float[queries][];
    List<Set<Long>> truth = new ArrayList<>();
    List<Float> tenth = new ArrayList<>(); // Euclidean distance of each query's 10th neighbour
    try (VectorStore test = VectorStore.open(Paths.get(testPath));
        VectorStore train = VectorStore.open(Paths.get(trainPath))) {
      for (int q = 0; q < queries; q++) {
        queryVectors[q] = test.get(q);
      }
      Path sample = Paths.get(trainPath);
      if (items < train.size()) {
        sample = cache.resolve("fashion-train-" + items + ".vec");
        if (!Files.exists(sample)) {
          float[][] first = new float[items][];
          for (int i = 0; i < items; i++) {
            first[i] = train.get(i);
          }
          VectorStore.create(sample, first);
        }
      }
      try (VectorStore store = VectorStore.open(sample)) {
        for (List<Neighbor> found : BruteForce.searchBatch(store, queryVectors, K, Metric.L2)) {
          tenth.add(found.get(K - 1).distance());
          Set<Long> ids = new HashSet<>();
          found.forEach(n -> ids.add(n.id()));
          truth.add(ids);
        }
      }
    }

    rows(spark, testPath, queries, 2)
        .withColumnRenamed("id", "qid")
        .withColumnRenamed("vector", "qv")
        .cache()
        .createOrReplaceTempView("q");
    spark.table("q").count();
    spark.read().format("vec").load(datasetDir.toString()).createOrReplaceTempView("items_vec");
    spark.read().parquet(parquetDir.toString()).createOrReplaceTempView("items_parquet");

    String ours =
        "SELECT q.qid, d.id FROM q JOIN items_vec d APPROX NEAREST 10 BY DISTANCE"
            + " vector_l2_distance(q.qv, d.vector)";
    String sparks = ours.replace("items_vec", "items_parquet");
    Supplier<Dataset<Row>> nearest = () -> spark.sql(ours);
    Supplier<Dataset<Row>> replicated =
        () ->
            KnnJoin.knnJoin(
                    spark.table("q"),
                    "qv",
                    datasetDir.toString(),
                    K,
                    Map.of("strategy", "replicated", "ef", String.valueOf(ef)))
                .select("qid", "neighbor_id");
    Supplier<Dataset<Row>> partitioned =
        () ->
            KnnJoin.knnJoin(
                    spark.table("q"),
                    "qv",
                    datasetDir.toString(),
                    K,
                    Map.of("strategy", "partitioned", "ef", String.valueOf(ef)))
                .select("qid", "neighbor_id");
    nearest.get().limit(10).collectAsList(); // warm-up: opens the shards, JIT

    List<String[]> table = new ArrayList<>();
    double sparkSeconds =
        measure(
            "Spark 4.2 APPROX NEAREST (Parquet right side)", () -> spark.sql(sparks), truth, table);
    measure("our APPROX NEAREST (vec, HNSW)", nearest, truth, table);
    measure("our knnJoin replicated (HNSW)", replicated, truth, table);
    measure("our knnJoin partitioned (HNSW)", partitioned, truth, table);
    if (lsh) {
      LshBaseline.run(spark, parquetDir.toString(), tenth, truth, table);
    }

    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            Locale.ROOT,
            "Fashion-MNIST: %,d train images (784-d, l2) in %d HNSW shards (M 16, efConstruction %d),"
                + " %,d test images as queries, k = %d, ef = %d; Spark local[2]. Data preparation"
                + " (cached across runs): %.1f s.%n%n",
            items,
            shards,
            efConstruction,
            queries,
            K,
            ef,
            prepareSeconds));
    md.append("| plan | time (s) | queries/s | recall@10 | speed-up vs Spark |\n");
    md.append("|---|---:|---:|---:|---:|\n");
    for (String[] row : table) {
      double seconds = Double.parseDouble(row[1]);
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.2f | %.1f | %s | %.1f× |%n",
              row[0],
              seconds,
              queries / seconds,
              row[2],
              sparkSeconds / seconds));
    }
    Files.writeString(out, md.toString());
    System.out.print(md);
    spark.stop();
  }

  static double measure(
      String name, Supplier<Dataset<Row>> plan, List<Set<Long>> truth, List<String[]> table) {
    long start = System.nanoTime();
    List<Row> rows = plan.get().collectAsList();
    double seconds = (System.nanoTime() - start) / 1e9;
    double recall = recall(rows, truth);
    System.err.printf(Locale.ROOT, "== %s: %.2f s, recall@10 %.4f%n", name, seconds, recall);
    table.add(
        new String[] {name, String.valueOf(seconds), String.format(Locale.ROOT, "%.4f", recall)});
    return seconds;
  }

  /** Recall@10 of (query id, neighbour id) rows; a query's missing neighbours count as misses. */
  static double recall(List<Row> rows, List<Set<Long>> truth) {
    long hits = 0;
    for (Row row : rows) {
      if (truth.get((int) row.getLong(0)).contains(((Number) row.get(1)).longValue())) {
        hits++;
      }
    }
    return hits / (double) (truth.size() * K);
  }

  /** Rows (id, vector) of the first {@code count} vectors of a .vec file, read on the executors. */
  static Dataset<Row> rows(SparkSession spark, String vecPath, int count, int partitions) {
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    return spark
        .range(0, count, 1, partitions)
        .toDF()
        .mapPartitions(
            (MapPartitionsFunction<Row, Row>)
                ids -> {
                  VectorStore store = VectorStore.open(Paths.get(vecPath));
                  List<Row> out = new ArrayList<>();
                  while (ids.hasNext()) {
                    long id = ids.next().getLong(0);
                    float[] vector = store.get(id);
                    Object[] boxed = new Object[vector.length];
                    for (int i = 0; i < vector.length; i++) {
                      boxed[i] = vector[i];
                    }
                    out.add(
                        RowFactory.create(
                            id,
                            scala.collection.immutable.ArraySeq$.MODULE$.unsafeWrapArray(boxed)));
                  }
                  store.close();
                  Iterator<Row> iterator = out.iterator();
                  return iterator;
                },
            Encoders.row(schema));
  }

  static boolean indexed(VecManifest manifest) {
    return manifest.shards().stream().allMatch(shard -> shard.index() != null);
  }

  /** One HNSW graph per shard, recorded in a new manifest (until the writer builds them). */
  static void buildIndexes(String path, int efConstruction) throws IOException {
    DatasetDirectory directory = DatasetDirectory.of(path);
    VecManifest manifest = directory.requireManifest();
    List<ShardEntry> indexed = new ArrayList<>();
    for (ShardEntry shard : manifest.shards()) {
      String file = shard.name() + ".hnsw";
      Path target = directory.resolve(file);
      long start = System.nanoTime();
      try (VectorStore store = VectorStore.open(directory.resolve(shard.vec().file()));
          HnswIndex index =
              new HnswIndex(store, HnswParameters.DEFAULT_M, efConstruction, Metric.L2)) {
        index.build();
        index.save(target);
      }
      System.err.printf(
          Locale.ROOT, "== index %s: %.1f s%n", shard.name(), (System.nanoTime() - start) / 1e9);
      indexed.add(
          shard.withIndex(
              new FileEntry(file, Files.size(target), DatasetDirectory.crc32c(target))));
    }
    io.zerocopy.spark.dataset.ManifestCommit.commit(
        directory,
        "the benchmark's index build",
        newest ->
            manifest.withShards(manifest.writeId() + "-indexed", manifest.dimension(), indexed));
  }
}
