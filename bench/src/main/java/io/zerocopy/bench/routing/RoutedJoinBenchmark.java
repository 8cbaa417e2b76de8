package io.zerocopy.bench.routing;

import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.join.KnnJoin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Routed against unrouted joins at scale (issue 27, step 4), in one local Spark run: a clustered
 * vec dataset ({@code partitioning=kmeans}, HNSW per shard) written from the items, then for the
 * held-out queries, k = 10: the exact join (the truth), the unrouted {@code partitioned} HNSW join,
 * and the routed one at each {@code nprobe}: wall time, recall@10 against the truth, shard searches
 * per query (the SQL tab's metric) and shuffle bytes (every task's shuffle writes). Then, if asked,
 * the deduplication job: a self-join (every item's 10 nearest items) at one {@code nprobe}, its
 * recall measured on a sample of the items through the same join.
 *
 * <p>Data: {@code mixture} (a Gaussian mixture of {@value #COMPONENTS} components in 384-d, every
 * vector a function of its id, generated on the executors: centres N(0, 0.7²), unit noise, so that
 * components overlap) or {@code vec} (two {@code .vec} files: items and queries, e.g. the MiniLM
 * WordNet sentences).
 *
 * <p>Arguments, {@code --name value}: data (mixture|vec), items, queries, shards, nprobe
 * (comma-separated), replicas (boundaryReplicas), metric, m, efConstruction, ef, selfJoinNprobe (0:
 * no self-join; -1: the fewest probes whose recall@10 reached 0.95 on the queries), dir (where the
 * dataset goes), out (Markdown table), train and test (the .vec files for data=vec),
 * queriesFromItems (true: the first {@code queries} items are the queries).
 */
public final class RoutedJoinBenchmark {

  static final int K = 10;
  static final int COMPONENTS = 1_000;
  static final int DIMENSION = 384;
  static final int SELF_JOIN_SAMPLE = 500;

  /** nprobe beyond any cluster count: the unrouted join (approximate joins route by default). */
  static final String EVERY_SHARD = String.valueOf(Integer.MAX_VALUE);

  static final double CENTRE_SCALE =
      Double.parseDouble(System.getProperty("zcs.mixture.scale", "0.7"));

  private static final StructType ITEMS =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);
  private static final StructType QUERIES =
      new StructType()
          .add("qid", DataTypes.LongType, false)
          .add("qv", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  private RoutedJoinBenchmark() {}

  /** The vectors of a run: rows [from, from + count) of the items or the queries. */
  interface Source extends java.io.Serializable {
    float[] vector(long row, boolean query);

    default void close() {}
  }

  /** Row i of the mixture: a function of (i, query), so that any executor can make it. */
  static final class Mixture implements Source {
    private static final long serialVersionUID = 1L;
    private transient float[][] centres;

    @Override
    public float[] vector(long row, boolean query) {
      if (centres == null) {
        Random random = new Random(7);
        centres = new float[COMPONENTS][DIMENSION];
        for (float[] centre : centres) {
          for (int j = 0; j < DIMENSION; j++) {
            centre[j] = (float) (random.nextGaussian() * CENTRE_SCALE);
          }
        }
      }
      SplittableRandom random =
          new SplittableRandom((row * 2 + (query ? 1 : 0)) * 0x9E3779B97F4A7C15L);
      float[] centre = centres[random.nextInt(COMPONENTS)];
      float[] vector = new float[DIMENSION];
      for (int j = 0; j < DIMENSION; j++) {
        vector[j] = centre[j] + (float) random.nextGaussian();
      }
      return vector;
    }
  }

  /** Rows of two local .vec files (local Spark: the executors see the driver's files). */
  static final class VecFiles implements Source {
    private static final long serialVersionUID = 1L;
    private final String train;
    private final String test;
    private transient VectorStore items;
    private transient VectorStore queries;

    VecFiles(String train, String test) {
      this.train = train;
      this.test = test;
    }

    @Override
    public synchronized float[] vector(long row, boolean query) {
      try {
        if (items == null) {
          items = VectorStore.open(Path.of(train));
          queries = VectorStore.open(Path.of(test));
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return (query ? queries : items).get(row);
    }
  }

  static Dataset<Row> frame(
      SparkSession spark, Source source, long count, boolean query, int partitions) {
    return spark
        .range(0, count, 1, partitions)
        .mapPartitions(
            (MapPartitionsFunction<Long, Row>)
                ids ->
                    new Iterator<>() {
                      @Override
                      public boolean hasNext() {
                        return ids.hasNext();
                      }

                      @Override
                      public Row next() {
                        long id = ids.next();
                        // an array column of an encoded Row is a Scala Seq
                        return RowFactory.create(
                            id,
                            scala.collection.immutable.ArraySeq$.MODULE$.unsafeWrapArray(
                                source.vector(id, query)));
                      }
                    },
            Encoders.row(query ? QUERIES : ITEMS));
  }

  /** Shuffle bytes written by every task since the last reset. */
  static final class ShuffleBytes extends SparkListener {
    final AtomicLong bytes = new AtomicLong();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      if (end.taskMetrics() != null) {
        bytes.addAndGet(end.taskMetrics().shuffleWriteMetrics().bytesWritten());
      }
    }
  }

  record Measured(
      String search, String nprobe, double recall, double seconds, double searches, long shuffle) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    String data = options.getOrDefault("data", "mixture");
    long items = Long.parseLong(options.getOrDefault("items", "1000000"));
    int queries = Integer.parseInt(options.getOrDefault("queries", "1000"));
    // the first N items as queries (each finds itself too), where few held-out ones exist
    boolean fromItems = Boolean.parseBoolean(options.getOrDefault("queriesFromItems", "false"));
    int shards = Integer.parseInt(options.getOrDefault("shards", "256"));
    List<String> nprobes = List.of(options.getOrDefault("nprobe", "4,8,16,32").split(","));
    String replicas = options.getOrDefault("replicas", "0.1");
    String metric = options.getOrDefault("metric", "l2");
    String m = options.getOrDefault("m", "16");
    String efConstruction = options.getOrDefault("efConstruction", "100");
    String ef = options.getOrDefault("ef", "64");
    int selfJoinNprobe = Integer.parseInt(options.getOrDefault("selfJoinNprobe", "0"));
    Path dir = Path.of(options.get("dir"));
    Path out = Path.of(options.get("out"));
    Source source =
        data.equals("mixture")
            ? new Mixture()
            : new VecFiles(options.get("train"), options.get("test"));

    SparkSession spark =
        SparkSession.builder()
            .master("local[" + Runtime.getRuntime().availableProcessors() + "]")
            .appName("RoutedJoinBenchmark")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.sql.extensions", "io.zerocopy.spark.ZeroCopyExtensions")
            .getOrCreate();
    ShuffleBytes shuffle = new ShuffleBytes();
    spark.sparkContext().addSparkListener(shuffle);
    List<String> lines = new ArrayList<>();
    try {
      String path = dir.resolve("items").toString();
      int partitions = Math.max(2, (int) Math.min(64, items / 20_000));
      long started = System.nanoTime();
      frame(spark, source, items, false, partitions)
          .write()
          .format("vec")
          .mode("overwrite")
          .option("vectorColumn", "embedding")
          .option("idColumn", "id")
          .option("metric", metric)
          .option("partitioning", "kmeans")
          .option("shards", String.valueOf(shards))
          .option("boundaryReplicas", replicas)
          .option("index", "hnsw")
          .option("m", m)
          .option("efConstruction", efConstruction)
          .save(path);
      double writeSeconds = seconds(started);
      VecManifest manifest = DatasetDirectory.of(path).requireManifest();
      long stored = manifest.shards().stream().mapToLong(ShardEntry::count).sum();
      long largest = manifest.shards().stream().mapToLong(ShardEntry::count).max().orElse(0);
      log(String.format(Locale.ROOT, "write + k-means + index: %.1f s", writeSeconds));

      Dataset<Row> held =
          (fromItems
                  ? frame(spark, source, queries, false, 2)
                      .withColumnRenamed("id", "qid")
                      .withColumnRenamed("embedding", "qv")
                  : frame(spark, source, queries, true, 2))
              .cache();
      held.count();
      List<Measured> rows = new ArrayList<>();
      Map<Long, Set<Long>> truth = new HashMap<>();
      Measured exact =
          run(
              spark,
              shuffle,
              held,
              path,
              Map.of("exact", "true", "strategy", "partitioned"),
              "exact, every shard",
              "-",
              truth,
              true);
      rows.add(exact);
      Measured unrouted =
          run(
              spark,
              shuffle,
              held,
              path,
              Map.of("ef", ef, "strategy", "partitioned", "nprobe", EVERY_SHARD),
              "HNSW, every shard",
              "-",
              truth,
              false);
      rows.add(unrouted);
      for (String nprobe : nprobes) {
        rows.add(
            run(
                spark,
                shuffle,
                held,
                path,
                Map.of("ef", ef, "strategy", "partitioned", "nprobe", nprobe.trim()),
                "HNSW, routed",
                nprobe.trim(),
                truth,
                false));
      }
      lines.add(
          String.format(
              Locale.ROOT,
              "%,d %s vectors (%d-d, %s) in %d shards (%d centres asked; boundaryReplicas %s: %,d"
                  + " stored rows, %.2f copies; largest shard %,d rows), HNSW m %s efConstruction"
                  + " %s, search ef %s; %,d %s, k %d. Write + k-means + shuffle +"
                  + " index: %.1f s.",
              items,
              data,
              manifest.dimension(),
              metric,
              manifest.shards().size(),
              shards,
              replicas,
              stored,
              stored / (double) items,
              largest,
              m,
              efConstruction,
              ef,
              queries,
              fromItems ? "items as queries (each finds itself)" : "held-out queries",
              K,
              writeSeconds));
      lines.add("");
      lines.add(
          "| join (partitioned) | nprobe | recall@10 | wall s | shard searches / query | shuffle"
              + " MiB | wall vs unrouted HNSW |");
      lines.add("|---|---:|---:|---:|---:|---:|---:|");
      for (Measured row : rows) {
        lines.add(
            String.format(
                Locale.ROOT,
                "| %s | %s | %.3f | %.1f | %.1f | %.1f | %.2fx |",
                row.search(),
                row.nprobe(),
                row.recall(),
                row.seconds(),
                row.searches(),
                row.shuffle() / 1048576.0,
                unrouted.seconds() / row.seconds()));
      }

      Files.write(out, lines); // the table stands even if the self-join is cut short
      if (selfJoinNprobe < 0) {
        // auto: the fewest probes that kept recall@10 >= 0.95 on the held-out queries
        selfJoinNprobe = Integer.parseInt(nprobes.get(nprobes.size() - 1).trim());
        for (Measured row : rows) {
          if (!row.nprobe().equals("-") && row.recall() >= 0.95) {
            selfJoinNprobe = Math.min(selfJoinNprobe, Integer.parseInt(row.nprobe()));
          }
        }
      }
      if (selfJoinNprobe > 0) {
        Dataset<Row> all =
            frame(spark, source, items, false, partitions)
                .withColumnRenamed("id", "qid")
                .withColumnRenamed("embedding", "qv");
        shuffle.bytes.set(0);
        long joinStarted = System.nanoTime();
        KnnJoin.knnJoin(
                all,
                "qv",
                path,
                K,
                Map.of(
                    "ef", ef, "strategy", "partitioned", "nprobe", String.valueOf(selfJoinNprobe)))
            .write()
            .format("noop")
            .mode("overwrite")
            .save();
        double joinSeconds = seconds(joinStarted);
        spark.sparkContext().listenerBus().waitUntilEmpty();
        long joinShuffle = shuffle.bytes.get();
        Map<String, Long> metrics = sqlTabMetrics(spark);
        // recall of the same join on a sample of the items, against the exact join
        Dataset<Row> sample =
            frame(spark, source, SELF_JOIN_SAMPLE, false, 2)
                .withColumnRenamed("id", "qid")
                .withColumnRenamed("embedding", "qv")
                .cache();
        Map<Long, Set<Long>> sampleTruth = new HashMap<>();
        run(
            spark,
            shuffle,
            sample,
            path,
            Map.of("exact", "true", "strategy", "partitioned"),
            "exact",
            "-",
            sampleTruth,
            true);
        Measured sampled =
            run(
                spark,
                shuffle,
                sample,
                path,
                Map.of(
                    "ef", ef, "strategy", "partitioned", "nprobe", String.valueOf(selfJoinNprobe)),
                "self",
                String.valueOf(selfJoinNprobe),
                sampleTruth,
                false);
        lines.add("");
        lines.add(
            String.format(
                Locale.ROOT,
                "Self-join (every item's %d nearest items, the deduplication job), nprobe %d:"
                    + " join %.1f s, write + k-means + index %.1f s, **total %.1f s** (%.1f min);"
                    + " %.1f shard searches per item, shuffle %.1f MiB; recall@10 %.3f on %d"
                    + " sampled items against the exact join.",
                K,
                selfJoinNprobe,
                joinSeconds,
                writeSeconds,
                joinSeconds + writeSeconds,
                (joinSeconds + writeSeconds) / 60,
                metrics.getOrDefault("zero-copy join: shard searches", -1L) / (double) items,
                joinShuffle / 1048576.0,
                sampled.recall(),
                SELF_JOIN_SAMPLE));
      }
    } finally {
      spark.stop();
    }
    Files.write(out, lines);
    lines.forEach(System.out::println);
  }

  private static Measured run(
      SparkSession spark,
      ShuffleBytes shuffle,
      Dataset<Row> queries,
      String path,
      Map<String, String> options,
      String search,
      String nprobe,
      Map<Long, Set<Long>> truth,
      boolean isTruth)
      throws java.util.concurrent.TimeoutException {
    spark.sparkContext().listenerBus().waitUntilEmpty();
    shuffle.bytes.set(0);
    long started = System.nanoTime();
    List<Row> rows = KnnJoin.knnJoin(queries, "qv", path, K, options).collectAsList();
    double seconds = seconds(started);
    spark.sparkContext().listenerBus().waitUntilEmpty();
    long bytes = shuffle.bytes.get();
    Map<String, Long> metrics = sqlTabMetrics(spark);
    Map<Long, Set<Long>> found = new LinkedHashMap<>();
    for (Row row : rows) {
      found
          .computeIfAbsent(row.getLong(row.fieldIndex("qid")), q -> new HashSet<>())
          .add(row.getLong(row.fieldIndex(KnnJoin.NEIGHBOR_ID)));
    }
    if (isTruth) {
      truth.putAll(found);
    }
    long hits = 0;
    for (Map.Entry<Long, Set<Long>> entry : truth.entrySet()) {
      for (long id : found.getOrDefault(entry.getKey(), Set.of())) {
        hits += entry.getValue().contains(id) ? 1 : 0;
      }
    }
    long queryCount = queries.count();
    double recall = hits / (double) (truth.size() * K);
    double searches =
        metrics.getOrDefault("zero-copy join: shard searches", -1L) / (double) queryCount;
    log(
        String.format(
            Locale.ROOT,
            "%s nprobe %s: recall@10 %.3f, %.1f s, %.1f shard searches per query, shuffle %.1f MiB",
            search,
            nprobe,
            recall,
            seconds,
            searches,
            bytes / 1048576.0));
    return new Measured(search, nprobe, recall, seconds, searches, bytes);
  }

  /** The join's metrics as the SQL tab shows them, of the last SQL execution. */
  static Map<String, Long> sqlTabMetrics(SparkSession spark) {
    org.apache.spark.sql.execution.ui.SQLAppStatusStore store =
        ((org.apache.spark.sql.classic.SparkSession) spark).sharedState().statusStore();
    long id =
        scala.jdk.javaapi.CollectionConverters.asJava(store.executionsList()).stream()
            .mapToLong(org.apache.spark.sql.execution.ui.SQLExecutionUIData::executionId)
            .max()
            .orElseThrow();
    Map<Object, String> values =
        scala.jdk.javaapi.CollectionConverters.asJava(store.executionMetrics(id));
    Map<String, Long> shown = new java.util.TreeMap<>();
    for (org.apache.spark.sql.execution.ui.SparkPlanGraphNode node :
        scala.jdk.javaapi.CollectionConverters.asJava(store.planGraph(id).allNodes())) {
      if (node.name().equals("ZeroCopyJoinMetrics")) {
        for (org.apache.spark.sql.execution.ui.SQLPlanMetric metric :
            scala.jdk.javaapi.CollectionConverters.asJava(node.metrics())) {
          String value = values.get(metric.accumulatorId());
          if (value != null) {
            shown.put(metric.name(), Long.parseLong(value.replace(",", "")));
          }
        }
      }
    }
    return shown;
  }

  private static double seconds(long started) {
    return (System.nanoTime() - started) / 1e9;
  }

  private static void log(String message) {
    System.err.println("== " + message);
  }
}
