package io.zerocopy.spark.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.search.ParallelTasks;
import io.zerocopy.spark.SparkTestBase;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Search threads follow Spark's task slots: with {@code spark.task.cpus=1} every join task searches
 * on its own thread (no pooled worker runs), however many cores the executor has; the conf {@value
 * SearchThreads#CONF} raises it.
 */
class SearchThreadsTest extends SparkTestBase {

  @TempDir Path temp;

  @Test
  void eachTaskSearchesOnItsShareOfTheCores() throws Exception {
    float[][] items =
        JoinFixtures.randomVectors(5000, 16, 3); // 2,500 a shard: exact search splits it
    String indexed = JoinFixtures.writeDataset(temp.resolve("items"), items, 2, Metric.L2);
    JoinFixtures.buildIndexes(indexed, 8, 64);
    // two query partitions: two concurrent tasks on local[2], 300 queries each
    Dataset<Row> queries = JoinFixtures.queryFrame(JoinFixtures.randomVectors(600, 16, 4), 2);
    for (String exact : new String[] {"true", "false"}) {
      Map<String, String> options = Map.of("exact", exact, "strategy", "replicated");
      ParallelTasks.resetPeakWorkers();
      assertEquals(600L * 5, KnnJoin.knnJoin(queries, "qv", indexed, 5, options).count());
      assertEquals(0, ParallelTasks.peakWorkers(), "exact=" + exact + ": pooled search workers");

      spark().sparkContext().setLocalProperty(SearchThreads.CONF, "3");
      try {
        ParallelTasks.resetPeakWorkers();
        assertEquals(600L * 5, KnnJoin.knnJoin(queries, "qv", indexed, 5, options).count());
        int peak = ParallelTasks.peakWorkers();
        assertTrue(peak >= 1 && peak <= 2 * 2, "exact=" + exact + ": " + peak + " pooled workers");
      } finally {
        spark().sparkContext().setLocalProperty(SearchThreads.CONF, null);
      }
    }
  }
}
