package io.zerocopy.spark.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.hnsw.HnswParameters;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.spark.SparkTestBase;
import io.zerocopy.spark.VecDatasets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.SimpleMode$;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every surface asked for its HNSW defaults and bounds: the engine, the DataFrame join, SQL {@code
 * vec_knn}, {@code NEAREST BY}, write options and {@code buildIndex} all answer with {@link
 * HnswParameters} (the Python package is asked in test_parameters.py).
 */
class HnswParameterSurfacesTest extends SparkTestBase {

  @TempDir static Path temp;
  static String indexed;

  @BeforeAll
  static void data() throws Exception {
    float[][] items = JoinFixtures.randomVectors(200, 8, 21);
    indexed = JoinFixtures.writeDataset(temp.resolve("indexed"), items, 2, Metric.L2);
    JoinFixtures.buildIndexes(indexed, 8, 40);
    JoinFixtures.queryFrame(JoinFixtures.randomVectors(5, 8, 22), 1).createOrReplaceTempView("pq");
    spark().read().format("vec").load(indexed).createOrReplaceTempView("p_items");
  }

  @AfterEach
  void resetConf() {
    spark().conf().unset(NearestByJoinRule.EF_CONF);
  }

  private static String explain(Dataset<Row> frame) {
    return frame.queryExecution().explainString(SimpleMode$.MODULE$);
  }

  private static String vecKnn(int k, String ef) {
    return "SELECT vec_knn('"
        + indexed
        + "', qv, "
        + k
        + (ef == null ? "" : ", " + ef)
        + ") FROM pq";
  }

  private static String nearest(int k) {
    return "SELECT q.qid, d.id FROM pq q JOIN p_items d APPROX NEAREST "
        + k
        + " BY DISTANCE vector_l2_distance(q.qv, d.vector)";
  }

  @Test
  void theDefaultEfIsTheEnginesOnEverySurface() {
    for (int k : new int[] {5, 80}) {
      int expected = HnswParameters.defaultEf(k);
      assertEquals(Math.max(k, 50), expected);
      assertEquals(expected, KnnJoinOptions.from(Map.of(), k).ef(), "DataFrame API, k " + k);
      String sql = explain(sql(vecKnn(k, null)));
      assertTrue(sql.contains("k=" + k + ", ef=" + expected + ")"), sql);
      if (k <= 200) {
        String plan = explain(sql(nearest(k)));
        assertTrue(plan.contains("APPROX hnsw ef=" + expected + ","), plan);
      }
    }
  }

  @Test
  void efBelowKIsRejectedWithTheSameBoundEverywhere() {
    String bound = "must be >= k (5), got 3";
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> KnnJoinOptions.from(Map.of("ef", "3"), 5))
            .getMessage()
            .contains("option 'ef' " + bound));
    assertTrue(
        messages(assertThrows(Exception.class, () -> sql(vecKnn(5, "3")).collect()))
            .contains("ef " + bound));
    spark().conf().set(NearestByJoinRule.EF_CONF, "3");
    assertTrue(
        messages(assertThrows(Exception.class, () -> sql(nearest(5)).collect()))
            .contains(NearestByJoinRule.EF_CONF + " " + bound));
    spark().conf().set(NearestByJoinRule.EF_CONF, "7");
    assertTrue(explain(sql(nearest(5))).contains("APPROX hnsw ef=7,"));
  }

  @Test
  void mAndEfConstructionHaveTheEnginesBoundsEverywhere() throws Exception {
    String mBound = "must be in [2, " + HnswParameters.MAX_M + "], got 513";
    String efcBound = "must be in [1, " + HnswParameters.MAX_EF_CONSTRUCTION + "], got 65537";
    try (VectorStore store = VectorStore.open(firstShard())) {
      assertEquals(
          "m " + mBound,
          assertThrows(
                  IllegalArgumentException.class, () -> new HnswIndex(store, 513, 100, Metric.L2))
              .getMessage());
      assertEquals(
          "efConstruction " + efcBound,
          assertThrows(
                  IllegalArgumentException.class, () -> new HnswIndex(store, 16, 65537, Metric.L2))
              .getMessage());
    }
    assertTrue(
        messages(
                assertThrows(
                    Exception.class,
                    () -> VecDatasets.buildIndex(spark(), indexed, Map.of("m", "513"))))
            .contains("option 'm' " + mBound));
    assertTrue(
        messages(
                assertThrows(
                    Exception.class,
                    () ->
                        VecDatasets.buildIndex(
                            spark(), indexed, Map.of("efConstruction", "65537"))))
            .contains("option 'efConstruction' " + efcBound));
    for (Map.Entry<String, String> bad :
        Map.of("m", "option 'm' " + mBound, "efConstruction", "option 'efConstruction' " + efcBound)
            .entrySet()) {
      String value = bad.getKey().equals("m") ? "513" : "65537";
      String error =
          messages(
              assertThrows(
                  Exception.class,
                  () ->
                      JoinFixtures.itemFrame(JoinFixtures.randomVectors(10, 8, 1), 1)
                          .write()
                          .format("vec")
                          .option("vectorColumn", "vector")
                          .option("idColumn", "id")
                          .option("index", "hnsw")
                          .option(bad.getKey(), value)
                          .save(temp.resolve("bad-" + bad.getKey()).toString())));
      assertTrue(error.contains(bad.getValue()), error);
    }
  }

  private static Path firstShard() {
    return Path.of(indexed)
        .resolve(
            io.zerocopy.spark.dataset.DatasetDirectory.of(indexed)
                .requireManifest()
                .shards()
                .get(0)
                .vec()
                .file());
  }
}
