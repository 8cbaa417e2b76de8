package io.zerocopy.bench;

import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ManifestCommit;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Commit throughput of concurrent appends on embedded local Spark, in one run: {@code --appends}
 * appends of {@code --rows} rows each, by one writer and by two writers (two Spark sessions, one
 * thread each) at once, to a {@code vec} dataset and, as the reference in the same JVM, to a
 * Parquet directory through Spark's own file commit protocol. Reports commits per second, races
 * lost (retried commits) and whether every acknowledged row was read back exactly once. Prints a
 * Markdown section on stdout; progress on stderr.
 *
 * <p>Options: {@code --appends 20 --rows 100 --dimension 16 --dir DIR}.
 */
public final class ConcurrentAppendBenchmark {

  private static final StructType SCHEMA =
      DataTypes.createStructType(
          new StructField[] {
            DataTypes.createStructField("id", DataTypes.LongType, false),
            DataTypes.createStructField(
                "embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false)
          });

  private ConcurrentAppendBenchmark() {}

  public static void main(String[] args) throws Exception {
    int appends = 20;
    int rows = 100;
    int dimension = 16;
    Path dir = Paths.get("bench", "target", "appends");
    for (int i = 0; i + 1 < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--appends" -> appends = Integer.parseInt(value);
        case "--rows" -> rows = Integer.parseInt(value);
        case "--dimension" -> dimension = Integer.parseInt(value);
        case "--dir" -> dir = Paths.get(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("zero-copy-search concurrent appends")
            .config("spark.ui.enabled", "false")
            .config("spark.log.level", "WARN")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate();
    try {
      run(spark, appends, rows, dimension, dir, System.out);
    } finally {
      spark.stop();
    }
  }

  private record Outcome(
      String format,
      int writers,
      int acknowledged,
      int failed,
      double seconds,
      long lostRaces,
      long rowsRead,
      long distinctRead) {}

  static void run(
      SparkSession spark, int appends, int rows, int dimension, Path dir, PrintStream out)
      throws Exception {
    // warm up the JIT and Spark's planning on both formats
    write(spark, "vec", 1, 3, rows, dimension, dir.resolve("warm-vec"));
    write(spark, "parquet", 1, 3, rows, dimension, dir.resolve("warm-parquet"));
    List<Outcome> outcomes = new ArrayList<>();
    for (String format : List.of("vec", "parquet")) {
      for (int writers : new int[] {1, 2}) {
        System.err.printf("%s, %d writer(s), %d appends each%n", format, writers, appends);
        outcomes.add(
            write(
                spark,
                format,
                writers,
                appends,
                rows,
                dimension,
                dir.resolve(format + "-" + writers)));
      }
    }
    out.printf(
        Locale.ROOT,
        "%d appends of %d rows (%d-d float vectors, one partition each) per writer; two writers"
            + " are two Spark sessions of one local[2] application, each on its own thread."
            + " Parquet is Spark's own file source with its default commit protocol.%n%n",
        appends,
        rows,
        dimension);
    out.println(
        "| format | writers | appends acknowledged | appends failed | seconds | commits/s |"
            + " races lost (retried) | rows read back | distinct ids | every acknowledged row once |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (Outcome o : outcomes) {
      long expected = (long) o.acknowledged() * rows;
      boolean whole = o.rowsRead() == expected && o.distinctRead() == expected;
      out.printf(
          Locale.ROOT,
          "| %s | %d | %d | %d | %.2f | %.2f | %s | %d | %d | %s |%n",
          o.format(),
          o.writers(),
          o.acknowledged(),
          o.failed(),
          o.seconds(),
          o.acknowledged() / o.seconds(),
          o.format().equals("vec") ? o.lostRaces() : "n/a",
          o.rowsRead(),
          o.distinctRead(),
          whole ? "yes" : "**no**");
    }
    Outcome vec1 = outcomes.get(0);
    Outcome vec2 = outcomes.get(1);
    Outcome parquet1 = outcomes.get(2);
    out.printf(
        Locale.ROOT,
        "%nRatios: vec commits/s, two writers : one writer = %.2f; vec : parquet, one writer ="
            + " %.2f.%n",
        (vec2.acknowledged() / vec2.seconds()) / (vec1.acknowledged() / vec1.seconds()),
        (vec1.acknowledged() / vec1.seconds()) / (parquet1.acknowledged() / parquet1.seconds()));
  }

  private static Outcome write(
      SparkSession spark,
      String format,
      int writers,
      int appends,
      int rows,
      int dimension,
      Path target)
      throws Exception {
    String path = target.toString();
    AtomicInteger acknowledged = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    long racesBefore = ManifestCommit.lostRaces();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    long start = System.nanoTime();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        SparkSession session = spark.newSession();
        long base = (w + 1) * 100_000_000L;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < appends; i++) {
                    Dataset<Row> batch = batch(session, base + (long) i * rows, rows, dimension);
                    try {
                      save(batch, format, path);
                      acknowledged.incrementAndGet();
                    } catch (Exception e) {
                      failed.incrementAndGet();
                      System.err.println(format + " append failed: " + e.getMessage());
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> writer : done) {
        writer.get();
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long races = ManifestCommit.lostRaces() - racesBefore;
    long read = 0;
    long distinct = 0;
    try {
      Dataset<Row> back = spark.read().format(format).load(path).select("id");
      read = back.count();
      distinct = back.distinct().count();
    } catch (Exception e) {
      System.err.println(format + " read back failed: " + e.getMessage());
    }
    if (format.equals("vec")) {
      DatasetDirectory.of(path).requireManifest();
    }
    return new Outcome(
        format, writers, acknowledged.get(), failed.get(), seconds, races, read, distinct);
  }

  private static Dataset<Row> batch(SparkSession session, long firstId, int rows, int dimension) {
    Random random = new Random(firstId);
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      float[] vector = new float[dimension];
      for (int j = 0; j < dimension; j++) {
        vector[j] = (float) random.nextGaussian();
      }
      list.add(RowFactory.create(firstId + i, vector));
    }
    return session.createDataFrame(list, SCHEMA).coalesce(1);
  }

  private static void save(Dataset<Row> batch, String format, String path) {
    if (format.equals("vec")) {
      batch
          .write()
          .format("vec")
          .option("vectorColumn", "embedding")
          .option("idColumn", "id")
          .mode(SaveMode.Append)
          .save(path);
    } else {
      batch.write().format("parquet").mode(SaveMode.Append).save(path);
    }
  }
}
