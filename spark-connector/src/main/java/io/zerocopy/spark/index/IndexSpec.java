package io.zerocopy.spark.index;

import io.zerocopy.engine.hnsw.HnswParameters;
import io.zerocopy.spark.options.OptionParsing;
import java.io.Serializable;
import java.util.Locale;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * How to build the HNSW graph of a shard: {@code m}, {@code efConstruction}, the build threads of
 * one task ({@code 0}: the task's cores, {@code spark.task.cpus}), and the codes its searches walk
 * on ({@code quantization}). The metric is the dataset's. Defaults and bounds are the engine's
 * ({@link HnswParameters}).
 */
public record IndexSpec(int m, int efConstruction, int threads, Quantization quantization)
    implements Serializable {

  public static final String M = "m";
  public static final String EF_CONSTRUCTION = "efConstruction";
  public static final String INDEX_THREADS = "indexThreads";
  public static final String QUANTIZATION = "quantization";

  /** The codes a shard's graph search walks on; its best candidates are re-scored exactly. */
  public enum Quantization {
    /** The float32 vectors of the {@code .vec}. */
    NONE,
    /** One byte per float ({@code .i8} beside the {@code .hnsw}): a quarter of the bytes. */
    INT8,
    /** Product quantization, a byte per 4 dimensions ({@code .pq}): a sixteenth of the bytes. */
    PQ;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The file name extension of these codes: {@code .i8} or {@code .pq} ({@code NONE}: none). */
    public String extension() {
      return this == INT8 ? ".i8" : this == PQ ? ".pq" : "";
    }

    /** Parses an option value; an unknown value names the option and the allowed values. */
    public static Quantization parse(String raw) {
      String wanted = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
      for (Quantization kind : values()) {
        if (kind.id().equals(wanted)) {
          return kind;
        }
      }
      throw new IllegalArgumentException(
          "option '"
              + QUANTIZATION
              + "': unknown value '"
              + raw
              + "': expected one of none, int8,"
              + " pq");
    }
  }

  /** A spec without codes. */
  public IndexSpec(int m, int efConstruction, int threads) {
    this(m, efConstruction, threads, Quantization.NONE);
  }

  public IndexSpec {
    HnswParameters.checkM(m, "option '" + M + "'");
    HnswParameters.checkEfConstruction(efConstruction, "option '" + EF_CONSTRUCTION + "'");
    if (threads < 0) {
      throw new IllegalArgumentException(
          "option '" + INDEX_THREADS + "' must be >= 0, got " + threads);
    }
    if (quantization == null) {
      throw new IllegalArgumentException("option '" + QUANTIZATION + "' must not be null");
    }
  }

  /**
   * The spec the options {@code m}, {@code efConstruction}, {@code indexThreads} and {@code
   * quantization} ask for.
   */
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
        OptionParsing.intOption(options, INDEX_THREADS, 0, 0, 1024),
        Quantization.parse(options.getOrDefault(QUANTIZATION, "none")));
  }

  /** The threads a task builds with: the option, else the task's cores, else 1. */
  public int threadsFor(int taskCpus) {
    return threads > 0 ? threads : Math.max(1, taskCpus);
  }
}
