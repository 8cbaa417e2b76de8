package io.zerocopy.spark.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zerocopy.spark.SparkTestBase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.execution.ui.SQLAppStatusStore;
import org.apache.spark.sql.execution.ui.SQLExecutionUIData;
import org.apache.spark.sql.execution.ui.SQLPlanMetric;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/** The custom metrics reach the SQL tab's store: what the Spark UI shows. */
class VecMetricsTest extends SparkTestBase {

  @TempDir Path temp;

  @Test
  void reportsVectorsAndBytesWrittenAndVectorsRead() throws Exception {
    StructType schema =
        DataTypes.createStructType(
            new StructField[] {
              DataTypes.createStructField("id", DataTypes.LongType, false),
              DataTypes.createStructField(
                  "v", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            });
    List<Row> rows = new ArrayList<>();
    for (long i = 0; i < 17; i++) {
      rows.add(RowFactory.create(i, new float[] {i, 1f, 2f}));
    }
    String path = temp.resolve("ds").toString();
    frame(rows, schema, 2)
        .write()
        .format("vec")
        .option("vectorColumn", "v")
        .option("idColumn", "id")
        .save(path);
    assertEquals("17", metric("vectors written"));
    long vecBytes = 2 * 32 + 17 * 3 * 4; // two shards' .vec files; plus the Arrow files
    long written = Long.parseLong(metric("bytes written (.vec + .ids.arrow)"));
    assertEquals(true, written > vecBytes, "bytes written: " + written);
    assertEquals(17, spark().read().format("vec").load(path).collectAsList().size());
    assertEquals("17", metric("vectors read"));
  }

  /** The value of the newest execution's metric of that name, waiting for the listener. */
  private static String metric(String name) throws InterruptedException {
    SQLAppStatusStore store =
        ((org.apache.spark.sql.classic.SparkSession) spark()).sharedState().statusStore();
    for (int attempt = 0; attempt < 100; attempt++) {
      List<SQLExecutionUIData> executions =
          new ArrayList<>(CollectionConverters.asJava(store.executionsList()));
      executions.sort((a, b) -> Long.compare(b.executionId(), a.executionId()));
      for (SQLExecutionUIData execution : executions) {
        for (SQLPlanMetric metric : CollectionConverters.asJava(execution.metrics())) {
          if (metric.name().equals(name)) {
            String value =
                CollectionConverters.asJava(store.executionMetrics(execution.executionId()))
                    .get(metric.accumulatorId());
            if (value != null) {
              return value.trim();
            }
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no metric '" + name + "' reported");
  }
}
