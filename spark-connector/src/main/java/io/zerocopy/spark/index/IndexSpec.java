package io.zerocopy.spark.index;

import java.io.Serializable;

/**
 * How to build the HNSW graph of a shard: {@code m}, {@code efConstruction}, and the build threads
 * of one task ({@code 0}: the task's cores, {@code spark.task.cpus}). The metric is the dataset's.
 */
public record IndexSpec(int m, int efConstruction, int threads) implements Serializable {

  public static final int DEFAULT_M = 16;
  public static final int MAX_M = 512;
  public static final int DEFAULT_EF_CONSTRUCTION = 200;
  public static final int MAX_EF_CONSTRUCTION = 1 << 16;

  public IndexSpec {
    if (m < 2 || m > MAX_M) {
      throw new IllegalArgumentException("option 'm' must be in [2, " + MAX_M + "], got " + m);
    }
    if (efConstruction < 1 || efConstruction > MAX_EF_CONSTRUCTION) {
      throw new IllegalArgumentException(
          "option 'efConstruction' must be in [1, "
              + MAX_EF_CONSTRUCTION
              + "], got "
              + efConstruction);
    }
    if (threads < 0) {
      throw new IllegalArgumentException("option 'indexThreads' must be >= 0, got " + threads);
    }
  }

  /** The threads a task builds with: the option, else the task's cores, else 1. */
  public int threadsFor(int taskCpus) {
    return threads > 0 ? threads : Math.max(1, taskCpus);
  }
}
