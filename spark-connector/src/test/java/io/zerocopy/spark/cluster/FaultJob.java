package io.zerocopy.spark.cluster;

import io.zerocopy.spark.VecDatasets;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.join.KnnJoin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Issue 7's Spark faults, run by {@link LocalClusterTest} as the driver of a {@code local-cluster}:
 * an executor JVM is killed (SIGKILL) while tasks of a write, of an index build and of a join run.
 * The standalone master starts a replacement, the failed tasks are retried, and every result must
 * equal the fault-free run of the same step; the dataset directories must hold exactly the files
 * their manifests list.
 */
public final class FaultJob {

  private FaultJob() {}

  /** Kills one executor JVM shortly after the first task of the armed job starts. */
  static final class ExecutorKiller extends SparkListener {
    private final AtomicReference<String> armed = new AtomicReference<>();
    final List<String> kills = new ArrayList<>();

    void arm(String label) {
      armed.set(label);
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart start) {
      String label = armed.getAndSet(null);
      if (label == null) {
        return;
      }
      Thread killer =
          new Thread(
              () -> {
                try {
                  Thread.sleep(400); // into the task's work, not before it
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                Optional<ProcessHandle> executor =
                    ProcessHandle.current()
                        .descendants()
                        .filter(
                            process ->
                                process
                                    .info()
                                    .commandLine()
                                    .orElse("")
                                    .contains("CoarseGrainedExecutorBackend"))
                        .findFirst();
                executor.ifPresent(
                    process -> {
                      process.destroyForcibly(); // SIGKILL
                      synchronized (kills) {
                        kills.add(label + " pid " + process.pid());
                      }
                    });
              });
      killer.setDaemon(true);
      killer.start();
    }
  }

  /** Rows slowed down a little, so that the kill lands while tasks run. */
  static Dataset<Row> slowFrame(SparkSession spark) {
    return ClusterJob.frame(spark)
        .map(
            (MapFunction<Row, Row>)
                row -> {
                  Thread.sleep(1);
                  return row;
                },
            Encoders.row(ClusterJob.SCHEMA));
  }

  static void write(Dataset<Row> rows, String path) {
    rows.write()
        .format("vec")
        .option("vectorColumn", "embedding")
        .option("idColumn", "id")
        .option("index", "hnsw")
        .option("m", "8")
        .option("efConstruction", "64")
        .option("indexThreads", "1")
        .save(path);
  }

  /** Content of a dataset that does not depend on shard names or order. */
  static String content(SparkSession spark, String path) {
    List<Row> rows = spark.read().format("vec").load(path).orderBy("id").collectAsList();
    long sum = 0;
    for (Row row : rows) {
      List<Float> vector = row.getList(1);
      sum = 31 * sum + row.getLong(0) * 7 + Float.floatToIntBits(vector.get(5));
    }
    return rows.size() + " rows, hash " + sum;
  }

  /** "ok" or what differs: the directory must hold the manifest and exactly the files it lists. */
  static String strayFiles(String path) throws Exception {
    VecManifest manifest = DatasetDirectory.of(path).requireManifest();
    Set<String> listed = new TreeSet<>();
    listed.add(DatasetDirectory.VERSIONS);
    for (ShardEntry shard : manifest.shards()) {
      listed.addAll(shard.files());
    }
    manifest.retired().forEach(file -> listed.add(file.file()));
    Set<String> present = new TreeSet<>();
    try (Stream<Path> files = Files.list(Path.of(path))) {
      files.forEach(file -> present.add(file.getFileName().toString()));
    }
    return present.equals(listed) ? "ok" : "files " + present + " but manifest lists " + listed;
  }

  static List<String> join(SparkSession spark, String path) {
    List<String> lines = new ArrayList<>();
    Dataset<Row> queries =
        ClusterJob.frame(spark).where("id % 50 = 3").selectExpr("id AS qid", "embedding AS qv");
    for (Row row :
        KnnJoin.knnJoin(queries, "qv", path, 5, Map.of("strategy", "replicated", "ef", "40"))
            .selectExpr("qid", "neighbor_id", "rank")
            .orderBy("qid", "rank")
            .collectAsList()) {
      lines.add(row.getLong(0) + ":" + row.getLong(1));
    }
    return lines;
  }

  public static String run(SparkSession spark, Path dir) throws Exception {
    ExecutorKiller killer = new ExecutorKiller();
    spark.sparkContext().addSparkListener(killer);
    StringBuilder result = new StringBuilder();

    String clean = dir.resolve("clean").toString();
    write(slowFrame(spark), clean);
    String expected = content(spark, clean);
    List<String> expectedJoin = join(spark, clean);

    String faulty = dir.resolve("faulty").toString();
    killer.arm("write");
    write(slowFrame(spark), faulty);
    result.append("write: ").append(content(spark, faulty).equals(expected) ? "same" : "DIFFERENT");
    result.append(", stray files: ").append(strayFiles(faulty)).append('\n');

    killer.arm("index build");
    VecDatasets.buildIndex(
        spark, faulty, Map.of("m", "8", "efConstruction", "64", "indexThreads", "1"));
    result.append("index build: stray files: ").append(strayFiles(faulty)).append('\n');
    VecManifest rebuilt = DatasetDirectory.of(faulty).requireManifest();
    VecManifest original = DatasetDirectory.of(clean).requireManifest();
    long sameIndexes =
        rebuilt.shards().stream()
            .filter(
                shard ->
                    original.shards().stream()
                        .anyMatch(o -> o.index().crc32c() == shard.index().crc32c()))
            .count();
    // one build thread and a fixed seed: the rebuilt graphs are the clean run's, byte for byte
    result.append("index build: same graphs ").append(sameIndexes).append('\n');

    killer.arm("join");
    result.append("join: ").append(join(spark, faulty).equals(expectedJoin) ? "same" : "DIFFERENT");
    result.append(" (").append(expectedJoin.size()).append(" rows)\n");
    synchronized (killer.kills) {
      result.append("kills: ").append(killer.kills).append('\n');
    }
    return result.toString();
  }

  /** Child JVM entry: {@code FaultJob <master> <jar> <dir>}; prints the result. */
  public static void main(String[] args) throws Exception {
    ClusterJob.runAsDriver(
        args,
        "zero-copy-search executor fault test",
        Map.of("spark.task.maxFailures", "8"),
        FaultJob::run);
  }
}
