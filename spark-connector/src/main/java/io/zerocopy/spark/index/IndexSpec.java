package io.zerocopy.spark.index;

import io.zerocopy.engine.hnsw.HnswParameters;
import io.zerocopy.spark.options.OptionParsing;
import java.io.Serializable;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * How to build the HNSW graph of a shard: {@code m}, {@code efConstruction}, and the build threads
 * of one task ({@code 0}: the task's cores, {@code spark.task.cpus}). The metric is the dataset's.
 * Defaults and bounds are the engine's ({@link HnswParameters}).
 */
public record IndexSpec(int m, int efConstruction, int threads) implements Serializable {

  public static final String M = "m";
  public static final String EF_CONSTRUCTION = "efConstruction";
  public static final String INDEX_THREADS = "indexThreads";

  public IndexSpec {
    HnswParameters.checkM(m, "option '" + M + "'");
    HnswParameters.checkEfConstruction(efConstruction, "option '" + EF_CONSTRUCTION + "'");
    if (threads < 0) {
      throw new IllegalArgumentException(
          "option '" + INDEX_THREADS + "' must be >= 0, got " + threads);
    }
  }

  /** The spec the options {@code m}, {@code efConstruction} and {@code indexThreads} ask for. */
  public static IndexSpec parse(CaseInsensitiveStringMap options) {
    return new IndexSpec(
        OptionParsing.intOption(
            options, M, HnswParameters.DEFAULT_M, HnswParameters.MIN_M, HnswParameters.MAX_M),
        OptionParsing.intOption(
            options,
            EF_CONSTRUCTION,
            HnswParameters.DEFAULT_EF_CONSTRUCTION,
            1,
            HnswParameters.MAX_EF_CONSTRUCTION),
        OptionParsing.intOption(options, INDEX_THREADS, 0, 0, 1024));
  }

  /** The threads a task builds with: the option, else the task's cores, else 1. */
  public int threadsFor(int taskCpus) {
    return threads > 0 ? threads : Math.max(1, taskCpus);
  }
}
