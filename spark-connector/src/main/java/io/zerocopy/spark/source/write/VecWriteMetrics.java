package io.zerocopy.spark.source.write;

import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomSumMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;

/** The write's custom metrics, shown in the SQL tab of the Spark UI. */
public final class VecWriteMetrics {

  static final String VECTORS_WRITTEN = "vectorsWritten";
  static final String BYTES_WRITTEN = "vecBytesWritten";

  private VecWriteMetrics() {}

  static CustomMetric[] supported() {
    return new CustomMetric[] {new VectorsWritten(), new BytesWritten()};
  }

  static CustomTaskMetric[] values(long vectors, long bytes) {
    return new CustomTaskMetric[] {task(VECTORS_WRITTEN, vectors), task(BYTES_WRITTEN, bytes)};
  }

  private static CustomTaskMetric task(String name, long value) {
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

  /** Vectors written to {@code .vec} shards. Spark instantiates it by class name. */
  public static final class VectorsWritten extends CustomSumMetric {
    @Override
    public String name() {
      return VECTORS_WRITTEN;
    }

    @Override
    public String description() {
      return "vectors written";
    }
  }

  /** Bytes of {@code .vec} and {@code .ids.arrow} files written. */
  public static final class BytesWritten extends CustomSumMetric {
    @Override
    public String name() {
      return BYTES_WRITTEN;
    }

    @Override
    public String description() {
      return "bytes written (.vec + .ids.arrow)";
    }
  }
}
