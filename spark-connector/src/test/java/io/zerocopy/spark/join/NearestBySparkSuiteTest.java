package io.zerocopy.spark.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark 4.2's own NEAREST BY tests — {@code sql-tests/inputs/join-nearest-by.sql} (with its golden
 * results) and {@code DataFrameNearestByJoinSuite} — with the item side a vec dataset and the
 * scalar rankings translated into vector functions that order the rows as the scalars did:
 *
 * <ul>
 *   <li>{@code DISTANCE abs(u.score - p.pscore)} becomes {@code vector_l2_distance} of {@code
 *       [score, 0]} and {@code [pscore, 0]}: the same number;
 *   <li>{@code SIMILARITY -abs(u.score - p.pscore)} becomes {@code vector_cosine_similarity} (and
 *       {@code vector_inner_product}) of unit vectors at angle {@code score / 10}: {@code
 *       cos((score - pscore) / 10)}, which falls as {@code |score - pscore|} grows (all gaps are
 *       below 10π).
 * </ul>
 *
 * Every case runs twice on the same tables: with our rule, and with {@code
 * spark.zerocopy.nearest.enabled=false} (Spark's own plan); rows (or error conditions) must be
 * equal, and where Spark's suite states the rows, they must be those.
 */
class NearestBySparkSuiteTest extends io.zerocopy.spark.SparkTestBase {

  @TempDir static Path temp;

  static final StructType USERS =
      new StructType()
          .add("user_id", DataTypes.IntegerType, false)
          .add("score", DataTypes.DoubleType, true)
          .add("ul", DataTypes.createArrayType(DataTypes.FloatType, false), true)
          .add("uv", DataTypes.createArrayType(DataTypes.FloatType, false), true);

  static final StructType PRODUCTS =
      new StructType()
          .add("id", DataTypes.StringType, false)
          .add("pscore", DataTypes.createDecimalType(3, 1), false) // as in Spark's golden tables
          .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  static List<Float> line(double score) {
    return List.of((float) score, 0f);
  }

  static List<Float> angle(double score) {
    return List.of((float) Math.cos(score / 10), (float) Math.sin(score / 10));
  }

  static Row user(int id, Double score) {
    return RowFactory.create(
        id, score, score == null ? null : line(score), score == null ? null : angle(score));
  }

  static Dataset<Row> users(Row... rows) {
    return spark().createDataFrame(List.of(rows), USERS);
  }

  static Dataset<Row> standardUsers() {
    return users(user(1, 10.0), user(2, 20.0), user(3, 30.0));
  }

  /** Writes Spark's products (A 11, B 22, C 5) as a vec dataset, as line or angle vectors. */
  static String products(String name, String metric, boolean empty) {
    List<Row> rows = new ArrayList<>();
    if (!empty) {
      String[] ids = {"A", "B", "C"};
      double[] scores = {11.0, 22.0, 5.0};
      for (int i = 0; i < 3; i++) {
        rows.add(
            RowFactory.create(
                ids[i],
                java.math.BigDecimal.valueOf(scores[i]).setScale(1),
                metric.equals("l2") ? line(scores[i]) : angle(scores[i])));
      }
    }
    String path = temp.resolve(name).toString();
    spark()
        .createDataFrame(rows, PRODUCTS)
        .coalesce(1)
        .write()
        .format("vec")
        .option("vectorColumn", "vector")
        .option("idColumn", "id")
        .option("metric", metric)
        .option("index", "hnsw")
        .save(path);
    // Spark's column names: product and pscore, beside the vector
    spark()
        .read()
        .format("vec")
        .load(path)
        .selectExpr("id AS product", "pscore", "vector")
        .createOrReplaceTempView(name);
    return path;
  }

  @BeforeAll
  static void tables() {
    standardUsers().createOrReplaceTempView("users");
    products("products_l2", "l2", false);
    products("products_cos", "cosine", false);
    products("products_dot", "dot", false);
    products("products_empty_l2", "l2", true);
    products("products_empty_cos", "cosine", true);
  }

  @AfterEach
  void ruleOn() {
    spark().conf().unset(NearestByJoinRule.ENABLED_CONF);
    spark().conf().unset("spark.sql.crossJoin.enabled");
  }

  // --- running each case both ways ---------------------------------------------------------

  static List<String> rows(Dataset<Row> frame) {
    List<String> lines = new ArrayList<>();
    for (Row row : frame.collectAsList()) {
      lines.add(row.toString());
    }
    lines.sort(null);
    return lines;
  }

  static boolean ours(Dataset<Row> frame) {
    return frame.queryExecution().optimizedPlan().toString().contains("ZeroCopyNearestJoin");
  }

  /** Runs the case with our rule and with Spark's plan; the rows must agree. Returns ours. */
  static List<String> bothWays(Supplier<Dataset<Row>> query, boolean takenOver) {
    Dataset<Row> mine = query.get();
    assertEquals(takenOver, ours(mine), mine.queryExecution().optimizedPlan().toString());
    List<String> ourRows = rows(mine);
    spark().conf().set(NearestByJoinRule.ENABLED_CONF, "false");
    try {
      Dataset<Row> sparks = query.get();
      assertFalse(ours(sparks));
      assertEquals(rows(sparks), ourRows, "our rows against Spark's plan");
    } finally {
      spark().conf().unset(NearestByJoinRule.ENABLED_CONF);
    }
    return ourRows;
  }

  static List<String> bothWays(String sql, boolean takenOver) {
    return bothWays(() -> sql(sql), takenOver);
  }

  /** Runs the case both ways; each must fail with Spark's error condition. */
  static void failsBothWays(Runnable query, String condition) {
    for (String enabled : List.of("true", "false")) {
      spark().conf().set(NearestByJoinRule.ENABLED_CONF, enabled);
      try {
        Exception e = assertThrows(Exception.class, query::run, "rule enabled: " + enabled);
        String all = messages(e);
        assertTrue(all.contains(condition), "rule enabled " + enabled + ": " + all);
      } finally {
        spark().conf().unset(NearestByJoinRule.ENABLED_CONF);
      }
    }
  }

  /**
   * Runs the case both ways; both must fail with the same error condition, or both run. (Spark
   * 4.2.0 has no {@code NEAREST_BY_JOIN.EXACT_WITH_NONDETERMINISTIC_EXPRESSION}, which later Spark
   * source tests for: on 4.2.0 such a query runs, and its rows are random.)
   */
  static String sameOutcome(Runnable query) {
    List<String> outcomes = new ArrayList<>();
    for (String enabled : List.of("true", "false")) {
      spark().conf().set(NearestByJoinRule.ENABLED_CONF, enabled);
      try {
        query.run();
        outcomes.add("ran");
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) { // AnalysisException: checked in Java's eyes, thrown by Scala code
        if (!(e instanceof AnalysisException analysis)) {
          throw new IllegalStateException(e);
        }
        outcomes.add(String.valueOf(analysis.getCondition()));
      } finally {
        spark().conf().unset(NearestByJoinRule.ENABLED_CONF);
      }
    }
    assertEquals(outcomes.get(1), outcomes.get(0), "with our rule, and with Spark's plan");
    return outcomes.get(0);
  }

  static List<String> expected(String... rows) {
    List<String> list = new ArrayList<>(List.of(rows));
    list.sort(null);
    return list;
  }

  // --- join-nearest-by.sql ------------------------------------------------------------------

  static final String SIMILAR_COS = "vector_cosine_similarity(u.uv, p.vector)";
  static final String SIMILAR_DOT = "vector_inner_product(u.uv, p.vector)";
  static final String DISTANT = "vector_l2_distance(u.ul, p.vector)";

  @Test
  void sqlApproxSimilarityK1() {
    for (String[] pair :
        new String[][] {{"products_cos", SIMILAR_COS}, {"products_dot", SIMILAR_DOT}}) {
      assertEquals(
          expected("[1,A]", "[2,B]", "[3,B]"),
          bothWays(
              "SELECT u.user_id, p.product FROM users u JOIN "
                  + pair[0]
                  + " p APPROX NEAREST 1 BY SIMILARITY "
                  + pair[1],
              true));
    }
  }

  @Test
  void sqlApproxDistanceK2() {
    assertEquals(
        expected("[1,A,11.0]", "[1,C,5.0]", "[2,B,22.0]", "[2,A,11.0]", "[3,B,22.0]", "[3,A,11.0]"),
        bothWays(
            "SELECT u.user_id, p.product, p.pscore FROM users u JOIN products_l2 p"
                + " APPROX NEAREST 2 BY DISTANCE "
                + DISTANT,
            true));
  }

  @Test
  void sqlExactSimilarityWithTheDefaultK() {
    assertEquals(
        expected("[1,A]", "[2,B]", "[3,B]"),
        bothWays(
            "SELECT u.user_id, p.product FROM users u INNER JOIN products_cos p"
                + " EXACT NEAREST BY SIMILARITY "
                + SIMILAR_COS,
            true));
  }

  @Test
  void sqlLeftOuterWithAnEmptyRightSide() {
    // an empty vec dataset: taken over
    assertEquals(
        expected("[1,null]", "[2,null]", "[3,null]"),
        bothWays(
            "SELECT u.user_id, p.product FROM users u LEFT OUTER JOIN products_empty_cos p"
                + " APPROX NEAREST 1 BY SIMILARITY "
                + SIMILAR_COS,
            true));
    // Spark's own form, a filter over the dataset: left to Spark's plan
    assertEquals(
        expected("[1,null]", "[2,null]", "[3,null]"),
        bothWays(
            "SELECT u.user_id, p.product FROM users u LEFT OUTER JOIN"
                + " (SELECT * FROM products_cos WHERE false) p"
                + " APPROX NEAREST 1 BY SIMILARITY "
                + SIMILAR_COS,
            false));
  }

  @Test
  void sqlExplicitInnerApproxDistance() {
    assertEquals(
        expected("[1,A]", "[2,B]", "[3,B]"),
        bothWays(
            "SELECT u.user_id, p.product FROM users u INNER JOIN products_l2 p"
                + " APPROX NEAREST 1 BY DISTANCE "
                + DISTANT,
            true));
  }

  @Test
  void sqlErrorsAreSparks() {
    failsBothWays(
        () ->
            sql("SELECT u.user_id, p.product FROM users u RIGHT OUTER JOIN products_cos p"
                    + " APPROX NEAREST 1 BY SIMILARITY "
                    + SIMILAR_COS)
                .collect(),
        "NEAREST_BY_JOIN.UNSUPPORTED_JOIN_TYPE");
    for (int k : new int[] {0, 100001}) {
      failsBothWays(
          () ->
              sql("SELECT u.user_id, p.product FROM users u JOIN products_cos p APPROX NEAREST "
                      + k
                      + " BY SIMILARITY "
                      + SIMILAR_COS)
                  .collect(),
          "NEAREST_BY_JOIN.NUM_RESULTS_OUT_OF_RANGE");
    }
    failsBothWays(
        () ->
            sql("SELECT u.user_id, p.product FROM users u JOIN products_cos p"
                    + " APPROX NEAREST 1 BY SIMILARITY map(u.score, p.pscore)")
                .collect(),
        "NEAREST_BY_JOIN.NON_ORDERABLE_RANKING_EXPRESSION");
    sameOutcome(
        () ->
            sql("SELECT u.user_id, p.product FROM users u JOIN products_l2 p"
                    + " EXACT NEAREST 1 BY DISTANCE rand() + "
                    + DISTANT)
                .collect());
  }

  // --- DataFrameNearestByJoinSuite ----------------------------------------------------------

  static Dataset<Row> table(String name) {
    return spark().table(name);
  }

  static Column call(String function, Column a, Column b) {
    return functions.call_function(function, a, b);
  }

  @Test
  void similarityInnerK1() {
    Dataset<Row> users = standardUsers();
    Dataset<Row> products = table("products_cos");
    assertEquals(
        expected("[1,A]", "[2,B]", "[3,B]"),
        bothWays(
            () ->
                users
                    .nearestByJoin(
                        products,
                        call("vector_cosine_similarity", users.col("uv"), products.col("vector")),
                        1,
                        "exact",
                        "similarity")
                    .select("user_id", "product"),
            true));
  }

  @Test
  void distanceInnerK2() {
    Dataset<Row> users = standardUsers();
    Dataset<Row> products = table("products_l2");
    assertEquals(
        expected("[1,A]", "[1,C]", "[2,A]", "[2,B]", "[3,A]", "[3,B]"),
        bothWays(
            () ->
                users
                    .nearestByJoin(
                        products,
                        call("vector_l2_distance", users.col("ul"), products.col("vector")),
                        2,
                        "exact",
                        "distance")
                    .select("user_id", "product"),
            true));
  }

  @Test
  void leftOuterWhenTheRightSideIsEmpty() {
    Dataset<Row> users = standardUsers();
    for (String mode : List.of("approx", "exact")) {
      Dataset<Row> empty = table("products_empty_cos");
      assertEquals(
          expected("[1,null]", "[2,null]", "[3,null]"),
          bothWays(
              () ->
                  users
                      .nearestByJoin(
                          empty,
                          call("vector_cosine_similarity", users.col("uv"), empty.col("vector")),
                          1,
                          mode,
                          "similarity",
                          "leftouter")
                      .select("user_id", "product"),
              true),
          mode);
    }
  }

  @Test
  void innerDropsLeftRowsWithNoMatches() {
    Dataset<Row> users = standardUsers();
    Dataset<Row> empty = table("products_empty_l2");
    assertEquals(
        List.of(),
        bothWays(
            () ->
                users.nearestByJoin(
                    empty,
                    call("vector_l2_distance", users.col("ul"), empty.col("vector")),
                    1,
                    "exact",
                    "distance"),
            true));
  }

  @Test
  void selfJoinEachRowFindsTheNearestRowsOfTheSameDataset() {
    // users as a vec dataset, read twice: both sides have id, vector and score
    String path = temp.resolve("users_vec").toString();
    // scores 10, 20, 32: no two rows are at the same distance from a third (Spark breaks ties
    // by input order, we by id)
    users(user(1, 10.0), user(2, 20.0), user(3, 32.0))
        .selectExpr("CAST(user_id AS LONG) AS id", "score", "ul AS vector")
        .write()
        .format("vec")
        .option("vectorColumn", "vector")
        .option("idColumn", "id")
        .option("index", "hnsw")
        .mode("overwrite")
        .save(path);
    Dataset<Row> left = spark().read().format("vec").load(path);
    Dataset<Row> right = spark().read().format("vec").load(path);
    List<String> rows =
        bothWays(
            () ->
                left.nearestByJoin(
                    right,
                    call("vector_l2_distance", left.col("vector"), right.col("vector")),
                    2,
                    "exact",
                    "distance"),
            true);
    assertEquals(6, rows.size());
    assertEquals(
        6,
        left.nearestByJoin(
                right,
                call("vector_l2_distance", left.col("vector"), right.col("vector")),
                2,
                "approx",
                "distance")
            .columns()
            .length);
  }

  @Test
  void nullQueryVectorsDropTheRowInnerAndKeepItWithNullsOuter() {
    Dataset<Row> users = users(user(1, null), user(2, 20.0));
    Dataset<Row> products = table("products_l2");
    Column ranking = call("vector_l2_distance", users.col("ul"), products.col("vector"));
    assertEquals(
        expected("[2,B]"),
        bothWays(
            () ->
                users
                    .nearestByJoin(products, ranking, 1, "exact", "distance")
                    .select("user_id", "product"),
            true));
    assertEquals(
        expected("[1,null]", "[2,B]"),
        bothWays(
            () ->
                users
                    .nearestByJoin(products, ranking, 1, "exact", "distance", "leftouter")
                    .select("user_id", "product"),
            true));
  }

  @Test
  void numResultsLargerThanTheRightSideGivesWhatThereIs() {
    Dataset<Row> users = standardUsers();
    Dataset<Row> products = table("products_l2");
    for (String mode : List.of("exact", "approx")) {
      List<String> rows =
          bothWays(
              () ->
                  users
                      .nearestByJoin(
                          products,
                          call("vector_l2_distance", users.col("ul"), products.col("vector")),
                          5,
                          mode,
                          "distance")
                      .select("user_id", "product"),
              true);
      assertEquals(9, rows.size(), mode);
    }
  }

  @Test
  void duplicateLeftRowsEachGetTheirOwnTopK() {
    Dataset<Row> users = users(user(1, 10.0), user(1, 10.0));
    Dataset<Row> products = table("products_l2");
    assertEquals(
        expected("[1,A]", "[1,A]"),
        bothWays(
            () ->
                users
                    .nearestByJoin(
                        products,
                        call("vector_l2_distance", users.col("ul"), products.col("vector")),
                        1,
                        "exact",
                        "distance")
                    .select("user_id", "product"),
            true));
  }

  @Test
  void conflictingColumnNamesBetweenSides() {
    // both sides have `score` (the right side's a carried column) and `vector`
    Dataset<Row> left = standardUsers().selectExpr("user_id AS id", "score", "uv AS vector");
    Dataset<Row> right = table("products_cos").withColumnRenamed("pscore", "score");
    List<String> rows =
        bothWays(
            () ->
                left.nearestByJoin(
                        right,
                        call("vector_cosine_similarity", left.col("vector"), right.col("vector")),
                        1,
                        "exact",
                        "similarity")
                    .select(left.col("id"), right.col("product")),
            true);
    assertEquals(expected("[1,A]", "[2,B]", "[3,B]"), rows);
    assertEquals(
        6,
        left.nearestByJoin(
                right,
                call("vector_cosine_similarity", left.col("vector"), right.col("vector")),
                1,
                "approx",
                "similarity")
            .columns()
            .length);
  }

  @Test
  void streamingInputsAreRejectedAtAnalysis() {
    Dataset<Row> streaming =
        spark()
            .readStream()
            .format("rate")
            .load()
            .selectExpr("CAST(value AS INT) AS user_id", "array(CAST(value AS FLOAT), 0f) AS ul");
    Dataset<Row> products = table("products_l2");
    failsBothWays(
        () ->
            streaming
                .nearestByJoin(
                    products,
                    call("vector_l2_distance", streaming.col("ul"), products.col("vector")),
                    1,
                    "exact",
                    "distance")
                .queryExecution()
                .assertAnalyzed(),
        "NEAREST_BY_JOIN.STREAMING_NOT_SUPPORTED");
  }

  @Test
  void rejectedWhenCrossJoinsAreDisabled() {
    // an indexed join is no cross product, but Spark's rule is the user's contract: follow it
    spark().conf().set("spark.sql.crossJoin.enabled", "false");
    Dataset<Row> users = standardUsers();
    Dataset<Row> products = table("products_l2");
    failsBothWays(
        () ->
            users
                .nearestByJoin(
                    products,
                    call("vector_l2_distance", users.col("ul"), products.col("vector")),
                    1,
                    "approx",
                    "distance")
                .queryExecution()
                .assertAnalyzed(),
        "NEAREST_BY_JOIN.CROSS_JOIN_NOT_ENABLED");
  }

  @Test
  void sqlApproxSimilarityAndExactDistanceThroughTempViews() {
    assertEquals(
        expected("[1,A]", "[2,B]", "[3,B]"),
        bothWays(
            "SELECT u.user_id, p.product FROM users u JOIN products_dot p"
                + " APPROX NEAREST 1 BY SIMILARITY "
                + SIMILAR_DOT,
            true));
    assertEquals(
        expected("[1,A]", "[2,B]", "[3,B]"),
        bothWays(
            "SELECT u.user_id, p.product FROM users u JOIN products_l2 p"
                + " EXACT NEAREST 1 BY DISTANCE "
                + DISTANT,
            true));
  }

  @Test
  void aViewDefinedInSqlTextOverAVecDatasetIsTakenOver() {
    String path = temp.resolve("products_cos").toString();
    sql("CREATE OR REPLACE TEMPORARY VIEW products_src USING vec OPTIONS (path '" + path + "')");
    sql(
        "CREATE OR REPLACE TEMPORARY VIEW products_text AS"
            + " SELECT id AS product, pscore, vector FROM products_src");
    assertEquals(
        expected("[1,A]", "[2,B]", "[3,B]"),
        bothWays(
            "SELECT u.user_id, p.product FROM users u JOIN products_text p"
                + " APPROX NEAREST 1 BY SIMILARITY "
                + SIMILAR_COS,
            true));
  }

  @Test
  void invalidArgumentsAreSparksErrors() {
    Dataset<Row> users = standardUsers();
    Dataset<Row> products = table("products_cos");
    Column ranking = call("vector_cosine_similarity", users.col("uv"), products.col("vector"));
    for (int k : new int[] {0, 100001}) {
      failsBothWays(
          () -> users.nearestByJoin(products, ranking, k, "exact", "similarity"),
          "NEAREST_BY_JOIN.NUM_RESULTS_OUT_OF_RANGE");
    }
    failsBothWays(
        () -> users.nearestByJoin(products, ranking, 1, "approx", "similarity", "rightouter"),
        "NEAREST_BY_JOIN.UNSUPPORTED_JOIN_TYPE");
    failsBothWays(
        () -> users.nearestByJoin(products, ranking, 1, "bogus", "similarity", "inner"),
        "NEAREST_BY_JOIN.UNSUPPORTED_MODE");
    failsBothWays(
        () -> users.nearestByJoin(products, ranking, 1, "exact", "bogus"),
        "NEAREST_BY_JOIN.UNSUPPORTED_DIRECTION");
    failsBothWays(
        () ->
            users.nearestByJoin(
                products,
                functions.map(users.col("score"), products.col("pscore")),
                1,
                "exact",
                "similarity"),
        "NEAREST_BY_JOIN.NON_ORDERABLE_RANKING_EXPRESSION");
    sameOutcome(
        () ->
            users
                .nearestByJoin(
                    products, functions.rand().plus(ranking), 1, "exact", "similarity", "inner")
                .collect());
  }
}
