package io.zerocopy.spark.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.spark.SparkTestBase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQL form {@code vec_knn_join} against {@link KnnJoin#knnJoin} on the same data. */
class KnnJoinFunctionTest extends SparkTestBase {

  @TempDir static Path temp;

  static float[][] items;
  static float[][] queries;
  static String plain;
  static String indexed;

  @BeforeAll
  static void data() throws Exception {
    items = JoinFixtures.randomVectors(600, 8, 11);
    queries = JoinFixtures.randomVectors(40, 8, 12);
    plain = JoinFixtures.writeDataset(temp.resolve("plain"), items, 3, Metric.L2);
    indexed = JoinFixtures.writeDataset(temp.resolve("indexed"), items, 3, Metric.L2);
    JoinFixtures.buildIndexes(indexed, 16, 100);
    JoinFixtures.queryFrame(queries, 2).createOrReplaceTempView("knn_join_queries");
  }

  /** Every row as text, sorted: the whole result, not only ids and ranks. */
  static List<String> rows(Dataset<Row> joined) {
    List<String> rows = new ArrayList<>();
    for (Row row : joined.collectAsList()) {
      rows.add(row.toString());
    }
    rows.sort(null);
    return rows;
  }

  /** The SQL call with a map of {@code options}, flattened as key, value, key, value. */
  static Dataset<Row> sqlJoin(String queries, String path, int k, String... options) {
    StringBuilder map = new StringBuilder();
    for (String option : options) {
      map.append(map.length() == 0 ? ", map(" : ", ").append('\'').append(option).append('\'');
    }
    if (map.length() > 0) {
      map.append(')');
    }
    return sql("SELECT * FROM vec_knn_join(" + queries + ", '" + path + "', " + k + map + ")");
  }

  @Test
  void exactJoinWithCarriedColumnMatchesTheDataFrameApiWithBothStrategies() {
    for (String strategy : List.of("replicated", "partitioned")) {
      Dataset<Row> api =
          KnnJoin.knnJoin(
              spark().table("knn_join_queries"),
              "qv",
              plain,
              5,
              Map.of("exact", "true", "strategy", strategy, "carriedColumns", "label"));
      Dataset<Row> sql =
          sqlJoin(
              "'knn_join_queries'",
              plain,
              5,
              "vectorColumn",
              "qv",
              "exact",
              "true",
              "strategy",
              strategy,
              "carriedColumns",
              "label");
      assertEquals(api.schema(), sql.schema(), strategy);
      assertEquals(
          List.of("qid", "qv", "neighbor_id", "distance", "rank", "label"),
          List.of(sql.schema().fieldNames()),
          strategy);
      assertEquals(rows(api), rows(sql), strategy);
      assertEquals(40 * 5, sql.count(), strategy);
      assertTrue(
          sql.queryExecution().executedPlan().toString().contains("ZeroCopyKnnJoin"),
          sql.queryExecution().executedPlan().toString());
    }
  }

  @Test
  void approximateJoinWithDefaultsMatchesTheDataFrameApi() {
    Dataset<Row> embedded = spark().table("knn_join_queries").withColumnRenamed("qv", "embedding");
    embedded.createOrReplaceTempView("knn_join_embedded");
    Dataset<Row> api = KnnJoin.knnJoin(embedded, "embedding", indexed, 4, Map.of());
    // vectorColumn defaults to embedding; every knnJoin option has its Java default
    assertEquals(rows(api), rows(sqlJoin("'knn_join_embedded'", indexed, 4)));
    assertEquals(
        rows(KnnJoin.knnJoin(embedded, "embedding", indexed, 4, Map.of("ef", "200"))),
        rows(sqlJoin("'knn_join_embedded'", indexed, 4, "EF", "200")));
  }

  @Test
  void theResultStaysValidAfterTheViewIsDropped() {
    JoinFixtures.queryFrame(queries, 2).createOrReplaceTempView("knn_join_dropped");
    Dataset<Row> sql =
        sqlJoin(
            "'knn_join_dropped'",
            plain,
            3,
            "vectorColumn",
            "qv",
            "exact",
            "true",
            "strategy",
            "partitioned");
    spark().catalog().dropTempView("knn_join_dropped");
    Dataset<Row> api =
        KnnJoin.knnJoin(
            spark().table("knn_join_queries"),
            "qv",
            plain,
            3,
            Map.of("exact", "true", "strategy", "partitioned"));
    assertEquals(rows(api), rows(sql));
    assertEquals(rows(api), rows(sql.where("rank <= 3")));
  }

  @Test
  void aTableArgumentWorksLikeAName() {
    Dataset<Row> byName =
        sqlJoin("'knn_join_queries'", plain, 3, "vectorColumn", "qv", "exact", "true");
    Dataset<Row> byTable =
        sqlJoin("TABLE(knn_join_queries)", plain, 3, "vectorColumn", "qv", "exact", "true");
    assertEquals(rows(byName), rows(byTable));
    Dataset<Row> bySubquery =
        sqlJoin(
            "TABLE(SELECT qid, qv FROM knn_join_queries WHERE qid < 10)",
            plain,
            3,
            "vectorColumn",
            "qv",
            "exact",
            "true");
    assertEquals(rows(byName.where("qid < 10")), rows(bySubquery));
    AnalysisException partitioned =
        assertThrows(
            AnalysisException.class,
            () -> sqlJoin("TABLE(knn_join_queries) PARTITION BY qid", plain, 3, "exact", "true"));
    assertTrue(partitioned.getMessage().contains("PARTITION BY"), partitioned.getMessage());
  }

  @Test
  void badOptionsGiveTheErrorsOfTheDataFrameApi() {
    Dataset<Row> queryFrame = spark().table("knn_join_queries");
    List<Map<String, String>> bad =
        List.of(
            Map.of("strategy", "broadcast"),
            Map.of("exact", "maybe"),
            Map.of("ef", "2"),
            Map.of("sideways", "true"),
            Map.of("carriedColumns", "colour"),
            Map.of("exact", "false"));
    for (Map<String, String> options : bad) {
      // plain has no index: exact=false fails with the advice to build one
      IllegalArgumentException api =
          assertThrows(
              IllegalArgumentException.class,
              () -> KnnJoin.knnJoin(queryFrame, "qv", plain, 5, options),
              options.toString());
      List<String> flat = new ArrayList<>(List.of("vectorColumn", "qv"));
      options.forEach(
          (key, value) -> {
            flat.add(key);
            flat.add(value);
          });
      AnalysisException sql =
          assertThrows(
              AnalysisException.class,
              () -> sqlJoin("'knn_join_queries'", plain, 5, flat.toArray(new String[0])),
              options.toString());
      assertTrue(sql.getMessage().contains(api.getMessage()), sql.getMessage());
      assertEquals(api.getClass(), sql.getCause().getClass(), options.toString());
      assertEquals(api.getMessage(), sql.getCause().getMessage(), options.toString());
    }
  }

  @Test
  void badArgumentsSayWhatIsExpected() {
    AnalysisException k =
        assertThrows(
            AnalysisException.class,
            () -> sql("SELECT * FROM vec_knn_join('knn_join_queries', '" + plain + "', 'five')"));
    assertTrue(k.getMessage().contains("argument k"), k.getMessage());
    AnalysisException column =
        assertThrows(
            AnalysisException.class,
            () -> sqlJoin("'knn_join_queries'", plain, 5, "exact", "true"));
    assertTrue(column.getMessage().contains("no column 'embedding'"), column.getMessage());
    AnalysisException missing =
        assertThrows(
            AnalysisException.class, () -> sqlJoin("'no_such_view'", plain, 5, "exact", "true"));
    assertTrue(missing.getMessage().contains("no_such_view"), missing.getMessage());
  }
}
