package io.zerocopy.spark;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * One SparkSession for every Spark test in the JVM: {@code local[2,2]} (two threads; a failed task
 * is retried once, so tests can inject a failure), UI off, loopback only.
 */
public abstract class SparkTestBase {

  private static SparkSession session;

  protected static synchronized SparkSession spark() {
    if (session == null) {
      session =
          SparkSession.builder()
              .master("local[2,2]")
              .appName("zero-copy-search-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.sql.session.timeZone", "UTC")
              .config("spark.sql.adaptive.enabled", "false")
              .config("spark.sql.extensions", "io.zerocopy.spark.ZeroCopyExtensions")
              .getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
    }
    return session;
  }

  protected static Dataset<Row> sql(String query) {
    return spark().sql(query);
  }

  /** A DataFrame of {@code rows} split into {@code partitions} partitions. */
  protected static Dataset<Row> frame(List<Row> rows, StructType schema, int partitions) {
    return spark().createDataFrame(rows, schema).repartition(partitions);
  }

  /** Every message of a cause chain, so tests can check errors raised inside tasks. */
  protected static String messages(Throwable error) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      all.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
      if (t.getCause() == t) {
        break;
      }
    }
    return all.toString();
  }
}
