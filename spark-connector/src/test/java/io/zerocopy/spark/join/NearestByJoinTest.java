package io.zerocopy.spark.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.spark.SparkTestBase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spark 4.2's NEAREST BY join on vec datasets: our plan, its results against Spark's own. */
class NearestByJoinTest extends SparkTestBase {

  @TempDir static Path temp;

  static float[][] items;
  static String indexed;

  @BeforeAll
  static void data() throws Exception {
    items = JoinFixtures.randomVectors(300, 8, 11);
    float[][] queries = JoinFixtures.randomVectors(25, 8, 12);
    queries[3] = null;
    indexed = JoinFixtures.writeDataset(temp.resolve("indexed"), items, 3, Metric.L2);
    JoinFixtures.buildIndexes(indexed, 16, 100);
    String plain = JoinFixtures.writeDataset(temp.resolve("plain"), items, 2, Metric.COSINE);
    JoinFixtures.queryFrame(queries, 2).createOrReplaceTempView("nq");
    spark().read().format("vec").load(indexed).createOrReplaceTempView("items_vec");
    spark().read().format("vec").load(plain).createOrReplaceTempView("items_plain");
    JoinFixtures.itemFrame(items, 2).createOrReplaceTempView("items_df");
    sql("CREATE OR REPLACE TEMPORARY VIEW items_sql USING vec OPTIONS (path '" + plain + "')");
  }

  static String query(String right, String join, String mode, int k, String function) {
    String direction = function.equals("vector_l2_distance") ? "DISTANCE" : "SIMILARITY";
    return "SELECT q.qid, d.id, d.label, "
        + function
        + "(q.qv, d.vector) AS score FROM nq q "
        + join
        + " JOIN "
        + right
        + " d "
        + mode
        + " NEAREST "
        + k
        + " BY "
        + direction
        + " "
        + function
        + "(q.qv, d.vector)";
  }

  static List<String> rows(Dataset<Row> frame) {
    List<String> lines = new ArrayList<>();
    for (Row row : frame.collectAsList()) {
      lines.add(
          row.get(0)
              + "|"
              + row.get(1)
              + "|"
              + row.get(2)
              + "|"
              + (row.isNullAt(3) ? "null" : String.format("%.4f", row.getFloat(3))));
    }
    lines.sort(null);
    return lines;
  }

  static boolean ours(Dataset<Row> frame) {
    return frame.queryExecution().optimizedPlan().toString().contains("ZeroCopyNearestJoin");
  }

  @Test
  void exactNearestEqualsSparksPlanForAllFunctionsAndJoinTypes() {
    for (String function :
        List.of("vector_l2_distance", "vector_cosine_similarity", "vector_inner_product")) {
      for (String join : List.of("INNER", "LEFT OUTER")) {
        Dataset<Row> spark = sql(query("items_df", join, "EXACT", 4, function));
        assertFalse(ours(spark), function + " " + join);
        List<String> expected = rows(spark);
        assertEquals(join.equals("INNER") ? 24 * 4 : 24 * 4 + 1, expected.size());
        for (String right : List.of("items_vec", "items_plain", "items_sql")) {
          Dataset<Row> mine = sql(query(right, join, "EXACT", 4, function));
          String what = function + " " + join + " " + right;
          assertTrue(ours(mine), what + ": " + mine.queryExecution().optimizedPlan());
          assertEquals(expected, rows(mine), what);
        }
      }
    }
  }

  @Test
  void vectorsSparkRanksAsNullHaveNoNeighboursAsInSparksPlan() {
    sql(
        "CREATE OR REPLACE TEMPORARY VIEW nq_special AS SELECT * FROM nq WHERE qid < 3"
            + " UNION ALL SELECT 100L, array(cast(null as float), 1f, 1f, 1f, 1f, 1f, 1f, 1f)"
            + " UNION ALL SELECT 101L, array_repeat(0f, 8)");
    for (String join : List.of("INNER", "LEFT OUTER")) {
      String cosine =
          query("items_vec", join, "EXACT", 3, "vector_cosine_similarity")
              .replace("nq q", "nq_special q");
      String spark = cosine.replace("items_vec", "items_df");
      assertTrue(ours(sql(cosine)));
      List<String> expected = rows(sql(spark));
      assertEquals(expected, rows(sql(cosine)), join);
      assertEquals(join.equals("INNER") ? 9 : 11, expected.size(), join);
    }
  }

  @Test
  void approxNearestUsesTheIndexesAndExplainShowsIt() {
    Dataset<Row> mine = sql(query("items_vec", "INNER", "APPROX", 5, "vector_l2_distance"));
    Dataset<Row> exact = sql(query("items_df", "INNER", "EXACT", 5, "vector_l2_distance"));
    assertTrue(ours(mine));
    String explain =
        mine.queryExecution().explainString(org.apache.spark.sql.execution.SimpleMode$.MODULE$);
    assertTrue(explain.contains("ZeroCopyNearestJoin[APPROX hnsw"), explain);
    List<String> truth = rows(exact);
    List<String> found = rows(mine);
    long hits = found.stream().filter(truth::contains).count();
    assertTrue(hits >= 0.95 * truth.size(), hits + " of " + truth.size());
  }

  @Test
  void declinesWhatItCannotRun() {
    // not a vec dataset
    assertFalse(ours(sql(query("items_df", "INNER", "APPROX", 3, "vector_l2_distance"))));
    // APPROX on a dataset without indexes, or indexed for another metric
    assertFalse(ours(sql(query("items_plain", "INNER", "APPROX", 3, "vector_l2_distance"))));
    assertFalse(ours(sql(query("items_vec", "INNER", "APPROX", 3, "vector_inner_product"))));
    // farthest-first: DISTANCE ordering of a similarity
    String farthest =
        "SELECT q.qid, d.id FROM nq q JOIN items_vec d EXACT NEAREST 3 BY DISTANCE"
            + " vector_cosine_similarity(q.qv, d.vector)";
    assertFalse(ours(sql(farthest)));
    // another expression
    String shifted =
        "SELECT q.qid, d.id FROM nq q JOIN items_vec d EXACT NEAREST 3 BY DISTANCE"
            + " vector_l2_distance(q.qv, d.vector) + d.id";
    Dataset<Row> declined = sql(shifted);
    assertFalse(ours(declined));
    assertEquals(24 * 3, declined.count());
  }
}
