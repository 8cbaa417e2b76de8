package io.zerocopy.examples.spark;

import io.zerocopy.datasets.FashionMnist;
import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.hnsw.HnswParameters;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.index.ShardIds;
import io.zerocopy.spark.index.ShardIndexes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The main job, end to end on real data: Fashion-MNIST's 60,000 training images (784-d) as a
 * DataFrame (id, label, embedding) → a {@code vec} dataset with one HNSW index per shard, built on
 * the executors in the write job → a k-nearest-neighbour search of the 10,000 test images against
 * every shard's index, merged per query → a table of results with labels, recall@k against exact
 * search on a sample, and timings.
 *
 * <p>Embedded local Spark ({@code local[*]}) unless a master is configured, so it also runs under
 * {@code spark-submit}; see {@code spark-connector/README.md}. Options: {@code --shards 4}, {@code
 * --k 10}, {@code --m 16}, {@code --ef-construction 200}, {@code --ef max(k, 50)}, {@code --queries
 * 10000}, {@code --sample 200} (queries checked against exact search), {@code --show 5} (rows of
 * the table), {@code --train 60000} (the first N training images), {@code --output DIR} (default
 * {@code ~/.cache/zero-copy-search/spark/fashion-mnist}).
 */
public final class FashionMnistJob {

  private FashionMnistJob() {}

  /** The job's settings, from the command line. */
  public record Settings(
      int shards,
      int k,
      int m,
      int efConstruction,
      int ef,
      int queries,
      int sample,
      int show,
      int train,
      String output) {

    public static Settings parse(String... args) {
      int train = FashionMnist.Split.TRAIN.count();
      int shards = 4;
      int k = 10;
      int m = HnswParameters.DEFAULT_M;
      int efConstruction = HnswParameters.DEFAULT_EF_CONSTRUCTION;
      Integer ef = null; // the engine's default for k
      int queries = 10_000;
      int sample = 200;
      int show = 5;
      String output =
          Paths.get(System.getProperty("user.home"), ".cache", "zero-copy-search", "spark")
              .resolve("fashion-mnist")
              .toString();
      for (int i = 0; i < args.length; i++) {
        String name = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + name + " needs a value");
        }
        String value = args[++i];
        switch (name) {
          case "--shards" -> shards = positive(name, value);
          case "--k" -> k = positive(name, value);
          case "--m" -> m = positive(name, value);
          case "--ef-construction" -> efConstruction = positive(name, value);
          case "--ef" -> ef = positive(name, value);
          case "--queries" -> queries = positive(name, value);
          case "--sample" -> sample = positive(name, value);
          case "--show" -> show = positive(name, value);
          case "--output" -> output = value;
          case "--train" -> train = positive(name, value);
          default ->
              throw new IllegalArgumentException(
                  "unknown option "
                      + name
                      + ": expected --shards, --k, --m, --ef-construction, --ef, --queries,"
                      + " --sample, --show, --train, --output");
        }
      }
      return new Settings(
          shards,
          k,
          m,
          efConstruction,
          HnswParameters.efOrDefault(ef, k, "--ef"),
          Math.min(queries, FashionMnist.Split.TEST.count()),
          Math.min(sample, Math.min(queries, FashionMnist.Split.TEST.count())),
          show,
          Math.min(train, FashionMnist.Split.TRAIN.count()),
          output);
    }

    private static int positive(String name, String value) {
      try {
        int parsed = Integer.parseInt(value);
        if (parsed >= 1) {
          return parsed;
        }
      } catch (NumberFormatException e) {
        // below
      }
      throw new IllegalArgumentException(name + " must be a positive integer, got '" + value + "'");
    }
  }

  /** The id, label and embedding schema of the training DataFrame. */
  static final StructType SCHEMA =
      DataTypes.createStructType(
          new StructField[] {
            DataTypes.createStructField("id", DataTypes.LongType, false),
            DataTypes.createStructField("label", DataTypes.IntegerType, false),
            DataTypes.createStructField(
                "embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false)
          });

  public static void main(String[] args) throws Exception {
    Settings settings = Settings.parse(args);
    SparkSession.Builder builder = SparkSession.builder().appName("zero-copy-search Fashion-MNIST");
    if (!new org.apache.spark.SparkConf().contains("spark.master")) {
      builder
          .master("local[*]")
          .config("spark.ui.enabled", "false")
          .config("spark.log.level", "WARN");
    }
    SparkSession spark = builder.getOrCreate();
    quietSparkLogs(spark);
    try {
      run(spark, settings, System.out);
    } finally {
      spark.stop();
    }
  }

  /** Spark at WARN, our own loggers (index build lines) at INFO. */
  private static void quietSparkLogs(SparkSession spark) {
    spark.sparkContext().setLogLevel("WARN");
    try {
      org.apache.logging.log4j.core.config.Configurator.setLevel(
          "io.zerocopy", org.apache.logging.log4j.Level.INFO);
    } catch (LinkageError e) {
      // another logging backend: leave it as configured
    }
  }

  /** What a run found: merged neighbour ids per query, recall@k on the sample, label agreement. */
  public record Summary(long[][] ids, double recall, double labelAgreement, long vectors) {}

  /** The bytes under a local directory, readable ("123.4 MiB"); "?" if it cannot be read. */
  private static String size(Path directory) {
    if (!java.nio.file.Files.isDirectory(directory)) {
      return "not a local directory";
    }
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(directory)) {
      long bytes =
          files
              .filter(java.nio.file.Files::isRegularFile)
              .mapToLong(file -> file.toFile().length())
              .sum();
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    } catch (IOException | java.io.UncheckedIOException e) {
      return "?";
    }
  }

  /** Runs the job on {@code spark}, printing a table, recall and timings to {@code out}. */
  public static Summary run(SparkSession spark, Settings settings, PrintStream out)
      throws IOException {
    FashionMnist data = FashionMnist.standard();
    long started = System.nanoTime();
    Path trainVec = data.vectors(FashionMnist.Split.TRAIN);
    Path testVec = data.vectors(FashionMnist.Split.TEST);
    byte[] trainLabels = data.labels(FashionMnist.Split.TRAIN);
    byte[] testLabels = data.labels(FashionMnist.Split.TEST);
    double prepareSeconds = seconds(started);
    out.printf(
        Locale.ROOT,
        "Fashion-MNIST: %,d train (of %,d) + %,d test images, %d-d (%s, %.1f s); distance kernel %s; Spark"
            + " %s, master %s, %d shards%n",
        settings.train(),
        trainLabels.length,
        testLabels.length,
        FashionMnist.DIMENSION,
        trainVec.getParent(),
        prepareSeconds,
        Distance.kernelName(),
        spark.version(),
        spark.sparkContext().master(),
        settings.shards());

    // the training images as a DataFrame: executors read their rows from a copy of the .vec file
    // that Spark ships to them (addFile), so this also works on a cluster
    spark.sparkContext().addFile(trainVec.toString());
    Dataset<Row> train =
        trainingFrame(
            spark,
            trainVec.getFileName().toString(),
            java.util.Arrays.copyOf(trainLabels, settings.train()),
            settings.shards());

    long writeStarted = System.nanoTime();
    train
        .write()
        .format("vec")
        .mode("overwrite")
        .option("vectorColumn", "embedding")
        .option("idColumn", "id")
        .option("metric", "l2")
        .option("index", "hnsw")
        .option("m", settings.m())
        .option("efConstruction", settings.efConstruction())
        .save(settings.output());
    double writeSeconds = seconds(writeStarted);
    DatasetDirectory directory = DatasetDirectory.of(settings.output());
    VecManifest manifest = directory.requireManifest();
    out.printf(
        Locale.ROOT,
        "wrote %s: %,d vectors in %d shards with HNSW indexes (m %d, efConstruction %d) in %.1f s"
            + " (%,.0f vectors/s, write + index build)%n",
        directory,
        manifest.count(),
        manifest.shards().size(),
        settings.m(),
        settings.efConstruction(),
        writeSeconds,
        manifest.count() / writeSeconds);

    float[][] queries = readQueries(testVec, settings.queries());
    long searchStarted = System.nanoTime();
    long[][] ids = new long[queries.length][];
    float[][] distances = new float[queries.length][];
    searchAllShards(directory, manifest, queries, settings, ids, distances);
    double searchSeconds = seconds(searchStarted);
    out.printf(
        Locale.ROOT,
        "searched %,d test images against %d shard indexes (k %d, ef %d) in %.2f s: %,.0f"
            + " queries/s, merged per query on the driver%n",
        queries.length,
        manifest.shards().size(),
        settings.k(),
        settings.ef(),
        searchSeconds,
        queries.length / searchSeconds);

    out.println();
    out.printf(
        "%-6s %-12s %-40s %s%n",
        "query", "label", "neighbours' labels (nearest first)", "d1 (L2 to the nearest)");
    for (int q = 0; q < Math.min(settings.show(), queries.length); q++) {
      StringBuilder labels = new StringBuilder();
      for (long id : ids[q]) {
        labels.append(trainLabels[(int) id]).append(' ');
      }
      out.printf(
          Locale.ROOT,
          "%-6d %-12s %-40s %.1f%n",
          q,
          testLabels[q] + " " + FashionMnist.labelName(testLabels[q]),
          labels.toString().trim(),
          distances[q][0]);
    }
    long agree = 0;
    long total = 0;
    for (int q = 0; q < queries.length; q++) {
      for (long id : ids[q]) {
        agree += trainLabels[(int) id] == testLabels[q] ? 1 : 0;
        total++;
      }
    }
    out.printf(
        Locale.ROOT,
        "label agreement of the %d nearest neighbours over %,d queries: %.1f%%%n",
        settings.k(),
        queries.length,
        100.0 * agree / total);
    double agreement = (double) agree / total;

    long exactStarted = System.nanoTime();
    double recall = recall(trainVec, queries, ids, settings);
    double exactSeconds = seconds(exactStarted);
    out.printf(
        Locale.ROOT,
        "recall@%d against exact search (BruteForce) on %d sampled queries: %.4f (exact search"
            + " %.2f s)%n",
        settings.k(),
        settings.sample(),
        recall,
        exactSeconds);
    out.printf(
        Locale.ROOT,
        "timings: data %.1f s, write + index %.1f s, search %.2f s, exact sample %.2f s, total"
            + " %.1f s%n",
        prepareSeconds,
        writeSeconds,
        searchSeconds,
        exactSeconds,
        seconds(started));
    out.printf(
        Locale.ROOT,
        "left on disk: the dataset at %s (%s; --output sets it) and the converted Fashion-MNIST"
            + " at %s (%s); delete either when done, the next run recreates it%n",
        settings.output(),
        size(Paths.get(settings.output())),
        trainVec.getParent(),
        size(trainVec.getParent()));
    return new Summary(ids, recall, agreement, manifest.count());
  }

  /**
   * (id, label, embedding) rows for ids {@code [0, labels.length)}, one partition per shard, read
   * on the executors from {@code vecName}, a file shipped with {@code SparkContext.addFile}.
   */
  public static Dataset<Row> trainingFrame(
      SparkSession spark, String vecName, byte[] labels, int partitions) {
    return spark
        .range(0, labels.length, 1, partitions)
        .mapPartitions(new ReadRows(vecName, labels), Encoders.row(SCHEMA));
  }

  /** Executor side of {@link #trainingFrame}: maps the shipped file and emits its rows. */
  private record ReadRows(String vecName, byte[] labels)
      implements MapPartitionsFunction<Long, Row> {
    @Override
    public Iterator<Row> call(Iterator<Long> ids) throws Exception {
      VectorStore store = VectorStore.open(Paths.get(SparkFiles.get(vecName)));
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          boolean more = ids.hasNext();
          if (!more) {
            store.close();
          }
          return more;
        }

        @Override
        public Row next() {
          long id = ids.next();
          return RowFactory.create(id, (int) labels[(int) id], store.get(id));
        }
      };
    }
  }

  static float[][] readQueries(Path testVec, int count) throws IOException {
    try (VectorStore store = VectorStore.open(testVec)) {
      float[][] queries = new float[count][];
      for (int i = 0; i < count; i++) {
        queries[i] = store.get(i);
      }
      return queries;
    }
  }

  /**
   * Every query against every shard's index (each searched on all driver cores), then the shards'
   * top k merged per query by distance; shard row numbers become dataset ids through the shard's
   * {@code .ids.arrow}.
   */
  static void searchAllShards(
      DatasetDirectory directory,
      VecManifest manifest,
      float[][] queries,
      Settings settings,
      long[][] ids,
      float[][] distances)
      throws IOException {
    int k = settings.k();
    List<List<List<Neighbor>>> perShard = new ArrayList<>();
    List<Object[]> shardIds = new ArrayList<>();
    for (ShardEntry shard : manifest.shards()) {
      shardIds.add(ShardIds.read(directory, shard));
      try (HnswIndex index = ShardIndexes.open(directory, shard, manifest.dimension())) {
        perShard.add(index.searchBatch(queries, k, settings.ef()));
      }
    }
    for (int q = 0; q < queries.length; q++) {
      List<long[]> candidates = new ArrayList<>(); // {shard, row}
      List<Float> candidateDistances = new ArrayList<>();
      for (int s = 0; s < perShard.size(); s++) {
        for (Neighbor neighbor : perShard.get(s).get(q)) {
          candidates.add(new long[] {s, neighbor.id()});
          candidateDistances.add(neighbor.distance());
        }
      }
      Integer[] order = new Integer[candidates.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      java.util.Arrays.sort(
          order, (a, b) -> Float.compare(candidateDistances.get(a), candidateDistances.get(b)));
      int keep = Math.min(k, order.length);
      ids[q] = new long[keep];
      distances[q] = new float[keep];
      for (int i = 0; i < keep; i++) {
        long[] candidate = candidates.get(order[i]);
        ids[q][i] = ((Number) shardIds.get((int) candidate[0])[(int) candidate[1]]).longValue();
        distances[q][i] = candidateDistances.get(order[i]);
      }
    }
  }

  /** Recall@k of the merged results against exact search, on evenly spread sampled queries. */
  static double recall(Path trainVec, float[][] queries, long[][] ids, Settings settings)
      throws IOException {
    int sample = settings.sample();
    float[][] sampled = new float[sample][];
    int[] which = new int[sample];
    for (int i = 0; i < sample; i++) {
      which[i] = (int) ((long) i * queries.length / sample);
      sampled[i] = queries[which[i]];
    }
    List<List<Neighbor>> exact;
    Path truthVec = trainVec;
    Path subset = null;
    try (VectorStore store = VectorStore.open(trainVec)) {
      if (settings.train() < store.size()) { // exact search over the written prefix only
        float[][] prefix = new float[settings.train()][];
        for (int i = 0; i < prefix.length; i++) {
          prefix[i] = store.get(i);
        }
        subset = java.nio.file.Files.createTempFile("fashion-mnist-prefix", ".vec");
        java.nio.file.Files.delete(subset);
        VectorStore.create(subset, prefix);
        truthVec = subset;
      }
    }
    try (VectorStore store = VectorStore.open(truthVec)) {
      exact = BruteForce.searchBatch(store, sampled, settings.k(), Metric.L2);
    } finally {
      if (subset != null) {
        java.nio.file.Files.deleteIfExists(subset);
      }
    }
    long hits = 0;
    for (int i = 0; i < sample; i++) {
      Set<Long> truth = new HashSet<>();
      exact.get(i).forEach(neighbor -> truth.add(neighbor.id()));
      for (long id : ids[which[i]]) {
        hits += truth.contains(id) ? 1 : 0;
      }
    }
    return (double) hits / ((long) sample * settings.k());
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
