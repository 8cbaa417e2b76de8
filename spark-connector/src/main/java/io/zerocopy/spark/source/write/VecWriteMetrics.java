package io.zerocopy.spark.source.write;

import io.zerocopy.spark.index.IndexBuildMetrics;
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

  /** The write's metrics and the index build's. */
  static CustomMetric[] withIndex() {
    CustomMetric[] index = IndexBuildMetrics.supported();
    CustomMetric[] all = java.util.Arrays.copyOf(supported(), 2 + index.length);
    System.arraycopy(index, 0, all, 2, index.length);
    return all;
  }

  static CustomTaskMetric[] values(long vectors, long bytes) {
    return new CustomTaskMetric[] {task(VECTORS_WRITTEN, vectors), task(BYTES_WRITTEN, bytes)};
  }

  static CustomTaskMetric[] values(long vectors, long bytes, long indexMillis, long indexed) {
    CustomTaskMetric[] index = IndexBuildMetrics.values(indexMillis, indexed);
    return new CustomTaskMetric[] {
      task(VECTORS_WRITTEN, vectors), task(BYTES_WRITTEN, bytes), index[0], index[1]
    };
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
