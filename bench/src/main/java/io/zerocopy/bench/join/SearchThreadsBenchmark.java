package io.zerocopy.bench.join;

import io.zerocopy.engine.search.ParallelTasks;
import io.zerocopy.spark.join.KnnJoin;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Search threads per join task, before and after issue 26: a kNN join on {@code local[4]} (four
 * concurrent tasks) with every task searching on all cores (the old behaviour, forced with {@code
 * spark.zerocopy.search.threads=<cores>}) against the new default, one thread per task slot ({@code
 * spark.task.cpus}). Gaussian-mixture data (structure, so recall is meaningful), one HNSW index per
 * shard; rounds alternate. Prints a Markdown section on stdout.
 *
 * <p>Options: {@code --items 40000 --queries 8000 --dimension 64 --rounds 3 --dir DIR}.
 */
public final class SearchThreadsBenchmark {

  private SearchThreadsBenchmark() {}

  public static void main(String[] args) throws Exception {
    int items = 40_000;
    int queries = 8_000;
    int dimension = 64;
    int rounds = 3;
    Path dir = Path.of("bench", "target", "search-threads");
    for (int i = 0; i + 1 < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--items" -> items = Integer.parseInt(value);
        case "--queries" -> queries = Integer.parseInt(value);
        case "--dimension" -> dimension = Integer.parseInt(value);
        case "--rounds" -> rounds = Integer.parseInt(value);
        case "--dir" -> dir = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    SparkSession spark =
        SparkSession.builder()
            .master("local[4]")
            .appName("zero-copy-search search threads")
            .config("spark.ui.enabled", "false")
            .config("spark.log.level", "WARN")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    try {
      Files.createDirectories(dir);
      String path = dir.resolve("items").toString();
      frame(spark, mixture(items, dimension, 1), 4, "id", "vector")
          .write()
          .format("vec")
          .option("vectorColumn", "vector")
          .option("idColumn", "id")
          .option("index", "hnsw")
          .option("efConstruction", "100")
          .mode("overwrite")
          .save(path);
      Dataset<Row> query = frame(spark, mixture(queries, dimension, 2), 4, "qid", "qv").cache();
      query.count();
      int cores = ParallelTasks.defaultThreads();
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      String[] labels = {"before: every core per task", "after: spark.task.cpus per task"};
      String[] settings = {Integer.toString(cores), null};
      double[][] seconds = new double[2][rounds];
      int[] peakWorkers = new int[2];
      int[] peakThreads = new int[2];
      for (int round = 0; round < rounds; round++) {
        for (int s = 0; s < 2; s++) {
          spark.sparkContext().setLocalProperty("spark.zerocopy.search.threads", settings[s]);
          ParallelTasks.resetPeakWorkers();
          threads.resetPeakThreadCount();
          long started = System.nanoTime();
          long rows =
              KnnJoin.knnJoin(query, "qv", path, 10, Map.of("strategy", "replicated")).count();
          seconds[s][round] = (System.nanoTime() - started) / 1e9;
          peakWorkers[s] = Math.max(peakWorkers[s], ParallelTasks.peakWorkers());
          peakThreads[s] = Math.max(peakThreads[s], threads.getPeakThreadCount());
          if (rows != 10L * queries) {
            throw new IllegalStateException(labels[s] + ": " + rows + " rows");
          }
          System.err.printf(
              Locale.ROOT, "%s, round %d: %.2f s%n", labels[s], round, seconds[s][round]);
        }
      }
      System.out.printf(
          Locale.ROOT,
          "A kNN join (k 10, APPROX through HNSW, strategy replicated) of %,d queries against"
              + " %,d items (%d-d Gaussian mixture, 4 shards), local[4]: four tasks at once on a"
              + " JVM with %d cores; %d rounds, alternating.%n%n",
          queries,
          items,
          dimension,
          cores,
          rounds);
      System.out.println(
          "| search threads | median s | best s | busiest moment: pooled search workers | JVM"
              + " threads (peak) |");
      System.out.println("|---|---:|---:|---:|---:|");
      for (int s = 0; s < 2; s++) {
        double[] sorted = seconds[s].clone();
        java.util.Arrays.sort(sorted);
        System.out.printf(
            Locale.ROOT,
            "| %s | %.2f | %.2f | %d | %d |%n",
            labels[s],
            sorted[sorted.length / 2],
            sorted[0],
            peakWorkers[s],
            peakThreads[s]);
      }
      double before = median(seconds[0]);
      double after = median(seconds[1]);
      System.out.printf(
          Locale.ROOT, "%nRatio of median wall times, after : before = %.2f.%n", after / before);
    } finally {
      spark.stop();
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static float[][] mixture(int count, int dimension, long seed) {
    Random centres = new Random(7);
    float[][] centre = new float[32][dimension];
    for (float[] c : centre) {
      for (int j = 0; j < dimension; j++) {
        c[j] = (float) centres.nextGaussian() * 4;
      }
    }
    Random random = new Random(seed);
    float[][] vectors = new float[count][dimension];
    for (int i = 0; i < count; i++) {
      float[] c = centre[random.nextInt(centre.length)];
      for (int j = 0; j < dimension; j++) {
        vectors[i][j] = c[j] + (float) random.nextGaussian();
      }
    }
    return vectors;
  }

  private static Dataset<Row> frame(
      SparkSession spark, float[][] vectors, int partitions, String id, String vector) {
    StructType schema =
        new StructType()
            .add(id, DataTypes.LongType, false)
            .add(vector, DataTypes.createArrayType(DataTypes.FloatType, false), false);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < vectors.length; i++) {
      List<Float> list = new ArrayList<>(vectors[i].length);
      for (float value : vectors[i]) {
        list.add(value);
      }
      rows.add(RowFactory.create((long) i, list));
    }
    return spark.createDataFrame(rows, schema).repartition(partitions);
  }
}
