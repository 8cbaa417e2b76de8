package io.zerocopy.spark.source.read;

import org.apache.spark.sql.connector.metric.CustomSumMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;

/** The scan's custom metrics, shown in the SQL tab of the Spark UI. */
public final class VecReadMetrics {

  static final String VECTORS_READ = "vectorsRead";

  private VecReadMetrics() {}

  static CustomTaskMetric[] values(long vectors) {
    return new CustomTaskMetric[] {
      new CustomTaskMetric() {
        @Override
        public String name() {
          return VECTORS_READ;
        }

        @Override
        public long value() {
          return vectors;
        }
      }
    };
  }

  /** Rows read from shards. Spark instantiates it by class name. */
  public static final class VectorsRead extends CustomSumMetric {
    @Override
    public String name() {
      return VECTORS_READ;
    }

    @Override
    public String description() {
      return "vectors read";
    }
  }
}
