package io.zerocopy.spark.join;

import io.zerocopy.engine.hnsw.HnswParameters;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The options of {@link KnnJoin#knnJoin}, parsed once; every error names the option and the allowed
 * values.
 *
 * <ul>
 *   <li>{@code strategy}: {@code replicated}, {@code partitioned} or {@code auto} (default; see
 *       {@link KnnJoin#chooseStrategy})
 *   <li>{@code exact}: {@code true} for exact (brute-force) search, the ground truth; default false
 *   <li>{@code ef}: HNSW search breadth per shard, &ge; k; default {@code max(k, 50)} ({@link
 *       HnswParameters#defaultEf})
 *   <li>{@code onNullVector}: {@code error} (default) or {@code skip}
 *   <li>{@code carriedColumns}: comma-separated carried columns of the dataset to add to the result
 *   <li>{@code queryBlockRows}: queries searched together; default 1024
 *   <li>{@code nprobe}: on a clustered dataset ({@code partitioning=kmeans}), each query visits
 *       only the shards of its {@code nprobe} nearest clusters; default: {@value
 *       ShardRouting#DEFAULT_NPROBE} for an approximate join, every shard for an exact one
 * </ul>
 */
record KnnJoinOptions(
    Strategy strategy,
    boolean exact,
    int ef,
    NeighborJoinTask.NullVectors onNullVector,
    List<String> carriedColumns,
    int queryBlockRows,
    Integer nprobe)
    implements Serializable {

  enum Strategy {
    AUTO,
    REPLICATED,
    PARTITIONED
  }

  static final String STRATEGY = "strategy";
  static final String EXACT = "exact";
  static final String EF = "ef";
  static final String ON_NULL_VECTOR = "onNullVector";
  static final String CARRIED_COLUMNS = "carriedColumns";
  static final String QUERY_BLOCK_ROWS = "queryBlockRows";
  static final String NPROBE = "nprobe";

  static final Set<String> KEYS =
      Set.of(STRATEGY, EXACT, EF, ON_NULL_VECTOR, CARRIED_COLUMNS, QUERY_BLOCK_ROWS, NPROBE);

  static KnnJoinOptions from(Map<String, String> given, int k) {
    Map<String, String> options = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (given != null) {
      options.putAll(given);
    }
    for (String key : options.keySet()) {
      if (KEYS.stream().noneMatch(key::equalsIgnoreCase)) {
        throw new IllegalArgumentException(
            "unknown knnJoin option '"
                + key
                + "': expected one of "
                + new java.util.TreeSet<>(KEYS));
      }
    }
    Strategy strategy;
    String strategyName = options.getOrDefault(STRATEGY, "auto").trim().toLowerCase(Locale.ROOT);
    switch (strategyName) {
      case "auto":
        strategy = Strategy.AUTO;
        break;
      case "replicated":
        strategy = Strategy.REPLICATED;
        break;
      case "partitioned":
        strategy = Strategy.PARTITIONED;
        break;
      default:
        throw new IllegalArgumentException(
            "option 'strategy': unknown value '"
                + options.get(STRATEGY)
                + "': expected replicated, partitioned or auto");
    }
    String exactText = options.getOrDefault(EXACT, "false").trim().toLowerCase(Locale.ROOT);
    if (!exactText.equals("true") && !exactText.equals("false")) {
      throw new IllegalArgumentException(
          "option 'exact': expected true or false, got '" + options.get(EXACT) + "'");
    }
    String efText = options.get(EF);
    int ef =
        HnswParameters.efOrDefault(
            efText == null ? null : positiveInt(options, EF, 0), k, "option '" + EF + "'");
    List<String> carried = new ArrayList<>();
    String carriedText = options.get(CARRIED_COLUMNS);
    if (carriedText != null) {
      for (String name : carriedText.split(",")) {
        if (!name.isBlank()) {
          carried.add(name.trim());
        }
      }
    }
    return new KnnJoinOptions(
        strategy,
        Boolean.parseBoolean(exactText),
        ef,
        NeighborJoinTask.NullVectors.parse(options.getOrDefault(ON_NULL_VECTOR, "error")),
        List.copyOf(carried),
        positiveInt(options, QUERY_BLOCK_ROWS, 1024),
        options.containsKey(NPROBE) ? positiveInt(options, NPROBE, 0) : null);
  }

  /**
   * The executor-side settings of a join with these options; on a clustered dataset, the routing of
   * the dataset at {@code directory} (its centroids read and validated now).
   */
  NeighborJoinTask.Settings taskSettings(int k, DatasetDirectory directory, VecManifest manifest) {
    return new NeighborJoinTask.Settings(
        k,
        ef,
        exact ? manifest.metric() : null,
        onNullVector,
        queryBlockRows,
        false,
        ShardRouting.orDefault(directory, manifest, nprobe, exact, "option '" + NPROBE + "'"));
  }

  private static int positiveInt(Map<String, String> options, String key, int fallback) {
    String text = options.get(key);
    if (text == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text.trim());
      if (value >= 1) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "option '" + key + "': expected a positive integer, got '" + text + "'");
  }
}
