package io.zerocopy.spark.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Issue 7's speculation check, run by {@link LocalClusterTest} as the driver of a standalone
 * cluster whose two workers are on different loopback hosts (Spark never starts a speculative copy
 * on the host of the original attempt). The first attempts of two partitions stall in the middle of
 * their write: one in an interruptible sleep, one in a loop that ignores interrupts and goes on
 * writing after its copy has committed. The speculative copies win; the dataset must be exactly the
 * unstalled write's, and once the stalled attempts have ended, the directory must hold only what
 * the manifest lists.
 */
public final class SpeculationJob {

  static final long STALL_MILLIS = 12_000;

  private SpeculationJob() {}

  /** Counts speculative task attempts; lists them and the attempts that did not succeed. */
  static final class Attempts extends SparkListener {
    final List<String> ends = new ArrayList<>();
    int speculative;

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
      boolean success = end.reason() instanceof org.apache.spark.Success$;
      if (end.taskInfo().speculative()) {
        speculative++;
      } else if (success) {
        return; // only speculative copies and the attempts that did not succeed are listed
      }
      ends.add(
          "p"
              + end.taskInfo().partitionId()
              + "#"
              + end.taskInfo().attemptNumber()
              + (end.taskInfo().speculative() ? " (speculative)" : "")
              + " on "
              + end.taskInfo().host()
              + ": "
              + end.reason().getClass().getSimpleName().replace("$", ""));
    }
  }

  /**
   * The rows of {@link ClusterJob#frame} in 6 partitions; with {@code stall}, the first attempts of
   * partitions 0 and 1 stall after handing 50 rows to the writer.
   */
  static Dataset<Row> frame(SparkSession spark, boolean stall) {
    return ClusterJob.frame(spark)
        .repartition(6, org.apache.spark.sql.functions.col("id"))
        .mapPartitions(
            (MapPartitionsFunction<Row, Row>)
                rows ->
                    new Iterator<Row>() {
                      private int seen;

                      @Override
                      public boolean hasNext() {
                        return rows.hasNext();
                      }

                      @Override
                      public Row next() {
                        TaskContext task = TaskContext.get();
                        if (stall && seen++ == 50 && task.attemptNumber() == 0) {
                          stall(task.partitionId());
                        }
                        return rows.next();
                      }
                    },
            Encoders.row(ClusterJob.SCHEMA));
  }

  /** Partition 0 sleeps; partition 1 spins deaf to interrupts, then goes on writing. */
  private static void stall(int partition) {
    if (partition == 0) {
      try {
        Thread.sleep(STALL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // killed: the writer sees it and aborts
      }
    } else if (partition == 1) {
      long end = System.nanoTime() + STALL_MILLIS * 1_000_000L;
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
    }
  }

  public static String run(SparkSession spark, Path dir) throws Exception {
    StringBuilder result = new StringBuilder();
    String clean = dir.resolve("clean").toString();
    FaultJob.write(frame(spark, false), clean);
    String expected = FaultJob.content(spark, clean);

    Attempts attempts = new Attempts();
    spark.sparkContext().addSparkListener(attempts);
    String speculated = dir.resolve("speculated").toString();
    long started = System.nanoTime();
    FaultJob.write(frame(spark, true), speculated);
    double seconds = (System.nanoTime() - started) / 1e9;
    String content = FaultJob.content(spark, speculated);
    // the stalled attempts outlive the job: wait until they have ended before looking for files
    Thread.sleep(STALL_MILLIS + 8_000);
    result.append("write: ").append(content.equals(expected) ? "same" : "DIFFERENT: " + content);
    result.append(" (").append(expected).append(")\n");
    result.append("stray files: ").append(FaultJob.strayFiles(speculated)).append('\n');
    synchronized (attempts) {
      result.append("speculative attempts: ").append(attempts.speculative).append('\n');
      result.append("job seconds: ").append(String.format("%.1f", seconds)).append('\n');
      result.append("attempts: ").append(attempts.ends).append('\n');
    }
    return result.toString();
  }

  /** Child JVM entry: {@code SpeculationJob <master> <jar> <dir>}; prints the result. */
  public static void main(String[] args) throws Exception {
    ClusterJob.runAsDriver(
        args,
        "zero-copy-search speculation test",
        java.util.Map.of(
            "spark.executor.memory", "768m",
            "spark.speculation", "true",
            "spark.speculation.interval", "100ms",
            "spark.speculation.quantile", "0.5",
            "spark.speculation.multiplier", "2",
            "spark.speculation.minTaskRuntime", "1s"),
        SpeculationJob::run);
  }
}
