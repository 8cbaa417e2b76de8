package io.zerocopy.bench;

import io.zerocopy.datasets.FashionMnist;
import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.examples.spark.FashionMnistJob;
import io.zerocopy.spark.VecDatasets;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.index.IndexBuildResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Spark-side benchmarks of issue 4, in one run on embedded local Spark: (e) write throughput of
 * {@code format("vec")} against {@code format("parquet")} for the same cached DataFrame
 * (Fashion-MNIST train, id + label + embedding), alternating, {@code --rounds} each; (f) HNSW build
 * time per shard in a Spark job ({@code VecDatasets.buildIndex}, one task per shard) against the
 * engine's standalone {@code HnswIndex.build} on the same shard file with the same threads. Prints
 * a Markdown section on stdout; progress on stderr.
 *
 * <p>Options: {@code --train 60000 --rounds 3 --shards 2 --m 16 --ef-construction 200 --dir DIR}.
 */
public final class SparkWriteBenchmark {

  private SparkWriteBenchmark() {}

  public static void main(String[] args) throws Exception {
    int train = 60_000;
    int rounds = 3;
    int shards = 2;
    int m = 16;
    int efConstruction = 200;
    int indexRounds = 2;
    Path dir = Paths.get("bench", "target", "spark");
    for (int i = 0; i + 1 < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--train" -> train = Integer.parseInt(value);
        case "--rounds" -> rounds = Integer.parseInt(value);
        case "--shards" -> shards = Integer.parseInt(value);
        case "--m" -> m = Integer.parseInt(value);
        case "--ef-construction" -> efConstruction = Integer.parseInt(value);
        case "--index-rounds" -> indexRounds = Integer.parseInt(value);
        case "--dir" -> dir = Paths.get(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    SparkSession spark =
        SparkSession.builder()
            .master("local[*]")
            .appName("zero-copy-search spark benchmarks")
            .config("spark.ui.enabled", "false")
            .config("spark.log.level", "WARN")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    try {
      run(spark, train, rounds, shards, m, efConstruction, indexRounds, dir, System.out);
    } finally {
      spark.stop();
    }
  }

  static void run(
      SparkSession spark,
      int train,
      int rounds,
      int shards,
      int m,
      int efConstruction,
      int indexRounds,
      Path dir,
      PrintStream out)
      throws IOException {
    FashionMnist data = FashionMnist.standard();
    Path trainVec = data.vectors(FashionMnist.Split.TRAIN);
    byte[] labels = Arrays.copyOf(data.labels(FashionMnist.Split.TRAIN), train);
    spark.sparkContext().addFile(trainVec.toString());
    Dataset<Row> frame =
        FashionMnistJob.trainingFrame(spark, trainVec.getFileName().toString(), labels, shards)
            .persist(StorageLevel.MEMORY_ONLY());
    long rows = frame.count(); // materialise the cache: the writers below only write
    long payload = rows * FashionMnist.DIMENSION * (long) Float.BYTES;
    Files.createDirectories(dir);
    String vecPath = dir.resolve("fashion-mnist.vec-dataset").toString();
    String parquetPath = dir.resolve("fashion-mnist.parquet").toString();

    List<Double> vecSeconds = new ArrayList<>();
    List<Double> parquetSeconds = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      boolean vecFirst = round % 2 == 0;
      for (int turn = 0; turn < 2; turn++) {
        boolean vec = (turn == 0) == vecFirst;
        long started = System.nanoTime();
        if (vec) {
          frame
              .write()
              .format("vec")
              .mode("overwrite")
              .option("vectorColumn", "embedding")
              .option("idColumn", "id")
              .save(vecPath);
          vecSeconds.add((System.nanoTime() - started) / 1e9);
        } else {
          frame.write().format("parquet").mode("overwrite").save(parquetPath);
          parquetSeconds.add((System.nanoTime() - started) / 1e9);
        }
        System.err.printf(
            Locale.ROOT,
            "round %d %s: %.2f s%n",
            round,
            vec ? "vec" : "parquet",
            (System.nanoTime() - started) / 1e9);
      }
    }
    long vecBytes = directoryBytes(Paths.get(vecPath));
    long parquetBytes = directoryBytes(Paths.get(parquetPath));

    System.err.println("index build: Spark job (one task per shard), then standalone");
    IndexBuildResult built = null;
    for (int round = 0; round < indexRounds; round++) { // the last round counts (JIT warmed up)
      built =
          VecDatasets.buildIndex(
              spark,
              vecPath,
              Map.of("m", Integer.toString(m), "efConstruction", Integer.toString(efConstruction)));
    }
    VecManifest manifest = built.manifest();
    DatasetDirectory directory = DatasetDirectory.of(vecPath);
    List<String> indexRows = new ArrayList<>();
    for (IndexBuildResult.ShardBuild build : built.shards()) {
      ShardEntry shard =
          manifest.shards().stream().filter(s -> s.name().equals(build.shard())).findFirst().get();
      Path shardVec = directory.localFile(shard.vec(), false);
      double standalone = 0;
      for (int round = 0; round < indexRounds; round++) {
        long started = System.nanoTime();
        try (VectorStore store = VectorStore.open(shardVec);
            HnswIndex index = new HnswIndex(store, m, efConstruction, Metric.L2)) {
          index.build(build.threads());
        }
        standalone = (System.nanoTime() - started) / 1e9;
      }
      indexRows.add(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %d | %.2f | %.2f | %.2f |",
              shard.name().substring(0, Math.min(10, shard.name().length())),
              shard.count(),
              build.threads(),
              build.buildSeconds(),
              standalone,
              build.buildSeconds() / standalone));
    }

    out.printf(
        Locale.ROOT,
        "(e) write throughput, local[*] (%d cores), %,d × %d vectors (%.2f MB of float32"
            + " payload), %d shards/partitions, cached DataFrame, %d rounds alternating; best"
            + " round (median)%n%n",
        Runtime.getRuntime().availableProcessors(),
        rows,
        FashionMnist.DIMENSION,
        payload / 1e6,
        shards,
        rounds);
    out.println("| format | s | vectors/s | MB/s | bytes on disk |");
    out.println("|---|---|---|---|---|");
    out.println(writeRow("vec", vecSeconds, rows, payload, vecBytes));
    out.println(writeRow("parquet", parquetSeconds, rows, payload, parquetBytes));
    out.printf(
        Locale.ROOT,
        "%nvec / parquet throughput (best rounds): %.2f×%n%n",
        min(parquetSeconds) / min(vecSeconds));
    out.printf(
        Locale.ROOT,
        "(f) HNSW build per shard (m %d, efConstruction %d, l2, kernel %s): Spark job"
            + " (VecDatasets.buildIndex, tasks in parallel) vs standalone HnswIndex.build on the"
            + " same shard file, same threads, one shard at a time; last of %d rounds%n%n",
        m,
        efConstruction,
        Distance.kernelName(),
        indexRounds);
    out.println("| shard | vectors | threads | Spark task s | standalone s | Spark / standalone |");
    out.println("|---|---|---|---|---|---|");
    indexRows.forEach(out::println);
  }

  private static String writeRow(
      String format, List<Double> seconds, long rows, long payload, long bytes) {
    double best = min(seconds);
    double median = seconds.stream().sorted().toList().get(seconds.size() / 2);
    return String.format(
        Locale.ROOT,
        "| %s | %.2f (%.2f) | %,.0f (%,.0f) | %.1f (%.1f) | %,d |",
        format,
        best,
        median,
        rows / best,
        rows / median,
        payload / 1e6 / best,
        payload / 1e6 / median,
        bytes);
  }

  private static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static long directoryBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  return 0;
                }
              })
          .sum();
    }
  }
}
