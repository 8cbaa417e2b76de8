package io.zerocopy.spark.join;

import io.zerocopy.engine.search.ParallelTasks;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;

/**
 * How many threads one search call may use. Inside a Spark task: the task's share of the executor's
 * cores, {@code spark.task.cpus} (default 1), so that an executor running as many tasks as it has
 * cores runs about as many search threads, not cores × cores; the session conf {@value #CONF}
 * overrides it. Outside a task (the driver, Python's own JVM): every core, the engine's default.
 */
final class SearchThreads {

  /** Spark conf: threads per search call in a task (default: {@code spark.task.cpus}). */
  static final String CONF = "spark.zerocopy.search.threads";

  private SearchThreads() {}

  static int forThisTask() {
    TaskContext task = TaskContext.get();
    if (task == null) {
      return ParallelTasks.defaultThreads();
    }
    String configured = task.getLocalProperty(CONF);
    if (configured == null && SparkEnv.get() != null) {
      configured = SparkEnv.get().conf().get(CONF, null);
    }
    if (configured != null) {
      try {
        int threads = Integer.parseInt(configured.trim());
        if (threads >= 1) {
          return threads;
        }
      } catch (NumberFormatException e) {
        // below
      }
      throw new IllegalArgumentException(
          CONF + " must be a positive integer, got '" + configured + "'");
    }
    return Math.max(1, task.cpus());
  }
}
