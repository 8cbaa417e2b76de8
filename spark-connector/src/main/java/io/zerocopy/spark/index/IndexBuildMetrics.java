package io.zerocopy.spark.index;

import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;

/** Custom metrics of index builds, shown in the SQL tab of the Spark UI. */
public final class IndexBuildMetrics {

  public static final String BUILD_TIME = "indexBuildTimeMs";
  public static final String SHARDS_INDEXED = "shardsIndexed";

  private IndexBuildMetrics() {}

  public static CustomMetric[] supported() {
    return new CustomMetric[] {new BuildTime(), new ShardsIndexed()};
  }

  /** A task's values: its build time in milliseconds and the shards it indexed (0 or 1). */
  public static CustomTaskMetric[] values(long buildMillis, long shards) {
    return new CustomTaskMetric[] {task(BUILD_TIME, buildMillis), task(SHARDS_INDEXED, shards)};
  }

  static CustomTaskMetric task(String name, long value) {
    return new CustomTaskMetric() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public long value() {
        return value;
      }
    };
  }

  /**
   * HNSW build time per shard: the total, and min / median / max over the tasks that built one.
   * Spark instantiates it by class name.
   */
  public static final class BuildTime implements CustomMetric {
    @Override
    public String name() {
      return BUILD_TIME;
    }

    @Override
    public String description() {
      return "index build time";
    }

    @Override
    public String aggregateTaskMetrics(long[] taskMetrics) {
      long[] built = Arrays.stream(taskMetrics).filter(value -> value > 0).sorted().toArray();
      if (built.length == 0) {
        return "0 s";
      }
      long total = Arrays.stream(built).sum();
      return String.format(
          Locale.ROOT,
          "total %s (min %s, med %s, max %s)",
          seconds(total),
          seconds(built[0]),
          seconds(built[built.length / 2]),
          seconds(built[built.length - 1]));
    }

    private static String seconds(long millis) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
  }

  /** Shards whose HNSW graph was built. */
  public static final class ShardsIndexed implements CustomMetric {
    @Override
    public String name() {
      return SHARDS_INDEXED;
    }

    @Override
    public String description() {
      return "shards indexed";
    }

    @Override
    public String aggregateTaskMetrics(long[] taskMetrics) {
      return Long.toString(Arrays.stream(taskMetrics).sum());
    }
  }
}
