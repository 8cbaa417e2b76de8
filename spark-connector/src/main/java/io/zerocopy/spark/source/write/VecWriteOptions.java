package io.zerocopy.spark.source.write;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.spark.index.IndexSpec;
import io.zerocopy.spark.options.OptionParsing;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The options of {@code df.write.format("vec")}, parsed and checked once on the driver.
 *
 * <ul>
 *   <li>{@code path}: the dataset directory (set by {@code save(path)})
 *   <li>{@code vectorColumn} (required): {@code array<float>}, {@code array<double>} or a Spark ML
 *       {@code Vector}
 *   <li>{@code idColumn} (required): long, int or string; unique
 *   <li>{@code carriedColumns}: comma-separated columns stored beside the ids; default (null): all
 *       others
 *   <li>{@code metric}: l2, cosine, dot; null when not given (a new dataset gets l2, an append
 *       keeps the dataset's metric)
 *   <li>{@code index}: none (default) or hnsw: every task builds its shard's HNSW graph right after
 *       writing it, from the mapped shard; {@code m} (16, in [2, 512]), {@code efConstruction}
 *       (200, in [1, 65536]), {@code indexThreads} (threads per task for the build; default {@code
 *       spark.task.cpus}); {@code quantization}: none (default) or int8: the task also writes 8-bit
 *       codes of its shard ({@code .i8}, a quarter of the {@code .vec}) that the graph search walks
 *       on, re-scoring its best candidates exactly from the {@code .vec}
 *   <li>{@code batchRows}: rows per Arrow record batch (4096), also the unit of read splits
 *   <li>{@code partitioning}: none (default: one shard per input partition) or kmeans: shards are
 *       clusters of similar vectors, so that searches can visit only the nearest ones; {@code
 *       shards} (default: the input's partition count) centres are trained on a sample ({@link
 *       ClusteredWrite}); {@code boundaryReplicas} (0: none): a row also goes to up to {@value
 *       ClusteredWrite#MAX_REPLICAS} more clusters whose centre is within {@code (1 +
 *       boundaryReplicas)} × the distance to its own, so that routed searches miss fewer neighbours
 *       near cluster boundaries, at the price of storing those rows more than once
 * </ul>
 */
public record VecWriteOptions(
    String path,
    String vectorColumn,
    String idColumn,
    List<String> carriedColumns,
    Metric metric,
    IndexKind index,
    int m,
    int efConstruction,
    int indexThreads,
    IndexSpec.Quantization quantization,
    int batchRows,
    boolean createNew,
    Partitioning partitioning,
    int shards,
    double boundaryReplicas)
    implements Serializable {

  public static final String PATH = "path";
  public static final String VECTOR_COLUMN = "vectorColumn";
  public static final String ID_COLUMN = "idColumn";
  public static final String CARRIED_COLUMNS = "carriedColumns";
  public static final String METRIC = "metric";
  public static final String INDEX = "index";
  public static final String M = IndexSpec.M;
  public static final String EF_CONSTRUCTION = IndexSpec.EF_CONSTRUCTION;
  public static final String INDEX_THREADS = IndexSpec.INDEX_THREADS;
  public static final String QUANTIZATION = IndexSpec.QUANTIZATION;
  public static final String BATCH_ROWS = "batchRows";
  public static final String PARTITIONING = "partitioning";
  public static final String SHARDS = "shards";
  public static final String BOUNDARY_REPLICAS = "boundaryReplicas";

  /** The largest {@code boundaryReplicas}: beyond it most rows would be stored many times. */
  static final double MAX_BOUNDARY_REPLICAS = 1.0;

  /** Internal: the centroids file a clustered write routes its rows by ({@code ClusteredWrite}). */
  public static final String CENTROIDS = "__zcs.centroids";

  /**
   * Internal: the replica factor a clustered write routed its rows with; its rows then carry the
   * boolean column {@link #REPLICA_COLUMN}, true for a boundary replica ({@code ClusteredWrite}).
   */
  public static final String REPLICAS = "__zcs.boundaryReplicas";

  public static final String REPLICA_COLUMN = "__zcs_replica";

  /**
   * Internal: set by the provider when it runs an errorifexists/ignore save as an append that must
   * find no dataset at commit.
   */
  public static final String CREATE_NEW = "__zcs.createNew";

  /**
   * Internal: marks the DataSource V2 write that the provider's V1 entry point starts (Spark 4.2
   * sends every save mode of a path-based source there); see {@code VecTableProvider}.
   */
  public static final String V2_WRITE = "__zcs.v2Write";

  /** Keys a write accepts (Spark's own "paths" included, which save() may set). */
  public static final Set<String> KEYS =
      Set.of(
          PATH,
          "paths",
          VECTOR_COLUMN,
          ID_COLUMN,
          CARRIED_COLUMNS,
          METRIC,
          INDEX,
          M,
          EF_CONSTRUCTION,
          INDEX_THREADS,
          QUANTIZATION,
          BATCH_ROWS,
          PARTITIONING,
          SHARDS,
          BOUNDARY_REPLICAS,
          CREATE_NEW,
          V2_WRITE,
          CENTROIDS,
          REPLICAS);

  /** How rows are split into shards. */
  public enum Partitioning {
    /** One shard per input partition, as the rows come. */
    NONE,
    /** One shard per k-means cluster of the vectors. */
    KMEANS;

    static Partitioning parse(String raw) {
      String wanted = raw.trim().toLowerCase(Locale.ROOT);
      for (Partitioning kind : values()) {
        if (kind.name().toLowerCase(Locale.ROOT).equals(wanted)) {
          return kind;
        }
      }
      throw new IllegalArgumentException(
          "option 'partitioning': unknown value '" + raw + "': expected one of none, kmeans");
    }
  }

  /** Index kinds a write can build. */
  public enum IndexKind {
    NONE,
    HNSW;

    static IndexKind parse(String raw) {
      String wanted = raw.trim().toLowerCase(Locale.ROOT);
      for (IndexKind kind : values()) {
        if (kind.name().toLowerCase(Locale.ROOT).equals(wanted)) {
          return kind;
        }
      }
      throw new IllegalArgumentException(
          "option 'index': unknown value '" + raw + "': expected one of none, hnsw");
    }
  }

  public static VecWriteOptions from(CaseInsensitiveStringMap options) {
    OptionParsing.rejectUnknown(options, KEYS, "vec write");
    String vectorColumn = required(options, VECTOR_COLUMN, "the column of vectors");
    String idColumn = required(options, ID_COLUMN, "the column of unique ids");
    String rawCarried = options.get(CARRIED_COLUMNS);
    List<String> carried =
        rawCarried == null
            ? null
            : Arrays.stream(rawCarried.split(","))
                .map(String::trim)
                .filter(name -> !name.isEmpty())
                .toList();
    Metric metric = null;
    try {
      if (options.containsKey(METRIC)) {
        metric = Metric.parse(options.get(METRIC));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("option '" + METRIC + "': " + e.getMessage(), e);
    }
    IndexKind index = IndexKind.parse(options.getOrDefault(INDEX, "none"));
    // parsed and checked even without index=hnsw, so that a typo never passes unnoticed
    IndexSpec spec = IndexSpec.parse(options);
    if (spec.quantization() != IndexSpec.Quantization.NONE && index != IndexKind.HNSW) {
      throw new IllegalArgumentException(
          "option '"
              + QUANTIZATION
              + "'="
              + spec.quantization().id()
              + " needs option 'index'='hnsw': the codes are what the graph search walks on"
              + " (or build the index later with VecDatasets.buildIndex and this option)");
    }
    int batchRows = OptionParsing.intOption(options, BATCH_ROWS, 4096, 1, 1 << 20);
    boolean createNew = OptionParsing.booleanOption(options, CREATE_NEW, false);
    Partitioning partitioning = Partitioning.parse(options.getOrDefault(PARTITIONING, "none"));
    int shards = OptionParsing.intOption(options, SHARDS, 0, 1, 1 << 20);
    if (options.containsKey(SHARDS) && partitioning != Partitioning.KMEANS) {
      throw new IllegalArgumentException(
          "option 'shards' applies to clustered writes only: add .option(\"partitioning\","
              + " \"kmeans\"), or repartition the DataFrame to choose the shard count");
    }
    double boundaryReplicas = 0;
    if (options.containsKey(BOUNDARY_REPLICAS)) {
      String raw = options.get(BOUNDARY_REPLICAS);
      try {
        boundaryReplicas = Double.parseDouble(raw.trim());
      } catch (NumberFormatException e) {
        boundaryReplicas = Double.NaN;
      }
      if (!(boundaryReplicas >= 0 && boundaryReplicas <= MAX_BOUNDARY_REPLICAS)) {
        throw new IllegalArgumentException(
            "option '"
                + BOUNDARY_REPLICAS
                + "': expected a number in [0, "
                + MAX_BOUNDARY_REPLICAS
                + "] (e.g. 0.1), got '"
                + raw
                + "'");
      }
      if (partitioning != Partitioning.KMEANS) {
        throw new IllegalArgumentException(
            "option '"
                + BOUNDARY_REPLICAS
                + "' applies to clustered writes only: add .option(\"partitioning\", \"kmeans\")");
      }
    }
    return new VecWriteOptions(
        options.get(PATH),
        vectorColumn,
        idColumn,
        carried,
        metric,
        index,
        spec.m(),
        spec.efConstruction(),
        spec.threads(),
        spec.quantization(),
        batchRows,
        createNew,
        partitioning,
        shards,
        boundaryReplicas);
  }

  /** What a task needs to index its shard, or null when {@code index} is none. */
  public IndexSpec indexSpec() {
    return index == IndexKind.HNSW
        ? new IndexSpec(m, efConstruction, indexThreads, quantization)
        : null;
  }

  private static String required(CaseInsensitiveStringMap options, String key, String what) {
    String value = options.get(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "option '" + key + "' is required: " + what + ", e.g. .option(\"" + key + "\", \"...\")");
    }
    return value.trim();
  }
}
