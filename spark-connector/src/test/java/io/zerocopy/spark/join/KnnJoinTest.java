package io.zerocopy.spark.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.spark.SparkTestBase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnnJoinTest extends SparkTestBase {

  @TempDir static Path temp;

  static float[][] items;
  static float[][] queries;
  static String plain;
  static String indexed;

  @BeforeAll
  static void data() throws Exception {
    items = JoinFixtures.randomVectors(600, 8, 1);
    queries = JoinFixtures.randomVectors(40, 8, 2);
    plain = JoinFixtures.writeDataset(temp.resolve("plain"), items, 3, Metric.L2);
    indexed = JoinFixtures.writeDataset(temp.resolve("indexed"), items, 3, Metric.L2);
    JoinFixtures.buildIndexes(indexed, 16, 100);
  }

  /** Expected "qid:rank:id" lines by brute force in the test. */
  static List<String> expected(float[][] queries, int k, Metric metric) {
    List<String> lines = new ArrayList<>();
    for (int q = 0; q < queries.length; q++) {
      final float[] query = queries[q];
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < items.length; i++) {
        order.add(i);
      }
      order.sort(
          Comparator.comparingDouble((Integer i) -> Distance.calculate(query, items[i], metric))
              .thenComparingInt(i -> i));
      for (int r = 0; r < k; r++) {
        lines.add(q + ":" + (r + 1) + ":" + order.get(r));
      }
    }
    lines.sort(null);
    return lines;
  }

  static List<String> lines(Dataset<Row> joined) {
    List<String> lines = new ArrayList<>();
    for (Row row : joined.collectAsList()) {
      lines.add(
          row.getLong(row.fieldIndex("qid"))
              + ":"
              + row.getInt(row.fieldIndex("rank"))
              + ":"
              + row.getLong(row.fieldIndex("neighbor_id")));
    }
    lines.sort(null);
    return lines;
  }

  @Test
  void aQueryValueThatIsNoFiniteFloatIsNamedByItsRow() {
    for (String value : List.of("1e39", "double('NaN')", "double('-Infinity')")) {
      Dataset<Row> bad =
          spark()
              .sql(
                  "SELECT id AS qid, IF(id = 7, array(0d, "
                      + value
                      + ", 0d, 0d, 0d, 0d, 0d, 0d), array_repeat(0d, 8)) AS qv FROM range(10)");
      Exception error =
          org.junit.jupiter.api.Assertions.assertThrows(
              Exception.class,
              () -> KnnJoin.knnJoin(bad, "qv", plain, 3, Map.of("exact", "true")).collect());
      String all = messages(error);
      org.junit.jupiter.api.Assertions.assertTrue(
          all.contains("query row [qid=7] has the value")
              && all.contains("at position 1, which is not a finite float32"),
          value + ": " + all);
    }
  }

  @Test
  void exactJoinMatchesBruteForceWithBothStrategies() {
    List<String> expected = expected(queries, 5, Metric.L2);
    for (String strategy : List.of("replicated", "partitioned")) {
      Dataset<Row> joined =
          KnnJoin.knnJoin(
              JoinFixtures.queryFrame(queries, 2),
              "qv",
              plain,
              5,
              Map.of("exact", "true", "strategy", strategy, "carriedColumns", "label"));
      assertEquals(
          List.of("qid", "qv", "neighbor_id", "distance", "rank", "label"),
          List.of(joined.schema().fieldNames()),
          strategy);
      assertEquals(expected, lines(joined), strategy);
      Row first = joined.where("rank = 1 and qid = 0").first();
      long id = first.getLong(2);
      assertEquals("label-" + (id % 7), first.getString(5));
      assertEquals(
          Distance.calculate(queries[0], items[(int) id], Metric.L2), first.getFloat(3), 1e-5);
    }
  }

  @Test
  void partitionedJoinOfNonDeterministicQueriesGivesEveryQueryItsNeighboursOnce() {
    // the query side is re-evaluated per shard; a random order changes the generated query ids
    // each time unless the join materializes them once (found on local-cluster, round-robin input)
    Dataset<Row> base = JoinFixtures.queryFrame(queries, 2);
    Dataset<Row> shuffled =
        base.mapPartitions(
            (org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>)
                rows -> {
                  List<Row> all = new ArrayList<>();
                  rows.forEachRemaining(all::add);
                  java.util.Collections.shuffle(all, new java.util.Random(System.nanoTime()));
                  return all.iterator();
                },
            org.apache.spark.sql.Encoders.row(base.schema()));
    Dataset<Row> joined =
        KnnJoin.knnJoin(
            shuffled, "qv", plain, 5, Map.of("exact", "true", "strategy", "partitioned"));
    assertEquals(expected(queries, 5, Metric.L2), lines(joined));
  }

  @Test
  void approximateJoinWithBothStrategiesFindsTheNeighbours() {
    List<String> expected = expected(queries, 5, Metric.L2);
    for (String strategy : List.of("replicated", "partitioned")) {
      Dataset<Row> joined =
          KnnJoin.knnJoin(
              JoinFixtures.queryFrame(queries, 2),
              "qv",
              indexed,
              5,
              Map.of("strategy", strategy, "ef", "64"));
      List<String> found = withoutRank(lines(joined));
      assertEquals(expected.size(), found.size());
      List<String> truth = withoutRank(expected);
      long hits = found.stream().filter(truth::contains).count();
      assertTrue(hits >= 0.95 * expected.size(), strategy + ": " + hits);
    }
  }

  static List<String> withoutRank(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      String[] parts = line.split(":");
      out.add(parts[0] + ":" + parts[2]);
    }
    return out;
  }

  /** Sums the named accumulators' task updates, as the Stages tab of the UI shows them. */
  static final class AccumulatorTotals extends org.apache.spark.scheduler.SparkListener {
    final Map<String, Long> totals = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
      for (org.apache.spark.scheduler.AccumulableInfo info :
          scala.jdk.javaapi.CollectionConverters.asJava(end.taskInfo().accumulables())) {
        if (info.name().isDefined() && info.name().get().startsWith("zero-copy join")) {
          totals.merge(info.name().get(), ((Number) info.update().get()).longValue(), Long::sum);
        }
      }
    }
  }

  @Test
  void metricsCountQueriesShardSearchesAndDistances() throws Exception {
    AccumulatorTotals listener = new AccumulatorTotals();
    spark().sparkContext().addSparkListener(listener);
    try {
      KnnJoin.knnJoin(
              JoinFixtures.queryFrame(queries, 2),
              "qv",
              plain,
              5,
              Map.of("exact", "true", "strategy", "replicated"))
          .collectAsList();
      spark().sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark().sparkContext().removeSparkListener(listener);
    }
    assertEquals(40L, listener.totals.get(JoinMetrics.QUERIES), listener.totals.toString());
    assertEquals(120L, listener.totals.get(JoinMetrics.SHARD_SEARCHES));
    assertEquals(40L * 600, listener.totals.get(JoinMetrics.DISTANCES));
  }

  /** The join's metrics as the SQL tab shows them for the last SQL execution: name -> value. */
  static Map<String, Long> sqlTabMetrics() {
    org.apache.spark.sql.execution.ui.SQLAppStatusStore store =
        ((org.apache.spark.sql.classic.SparkSession) spark()).sharedState().statusStore();
    long id =
        scala.jdk.javaapi.CollectionConverters.asJava(store.executionsList()).stream()
            .mapToLong(org.apache.spark.sql.execution.ui.SQLExecutionUIData::executionId)
            .max()
            .orElseThrow();
    Map<Object, String> values =
        scala.jdk.javaapi.CollectionConverters.asJava(store.executionMetrics(id));
    Map<String, Long> shown = new java.util.TreeMap<>();
    for (org.apache.spark.sql.execution.ui.SparkPlanGraphNode node :
        scala.jdk.javaapi.CollectionConverters.asJava(store.planGraph(id).allNodes())) {
      if (node.name().equals("ZeroCopyJoinMetrics")) {
        for (org.apache.spark.sql.execution.ui.SQLPlanMetric metric :
            scala.jdk.javaapi.CollectionConverters.asJava(node.metrics())) {
          String value = values.get(metric.accumulatorId());
          shown.put(metric.name(), value == null ? -1L : Long.parseLong(value.replace(",", "")));
        }
      }
    }
    return shown;
  }

  @Test
  void sqlTabShowsTheJoinMetricsOfEveryKindOfJoin() throws Exception {
    for (String strategy : List.of("replicated", "partitioned")) {
      KnnJoin.knnJoin(
              JoinFixtures.queryFrame(queries, 2),
              "qv",
              plain,
              5,
              Map.of("exact", "true", "strategy", strategy))
          .collectAsList();
      spark().sparkContext().listenerBus().waitUntilEmpty();
      assertEquals(
          Map.of(
              JoinMetrics.QUERIES, 40L,
              JoinMetrics.SHARD_SEARCHES, 120L,
              JoinMetrics.DISTANCES, 40L * 600),
          sqlTabMetrics(),
          strategy);
    }
    JoinFixtures.queryFrame(queries, 2).createOrReplaceTempView("metrics_q");
    spark().read().format("vec").load(indexed).createOrReplaceTempView("metrics_items");
    Dataset<Row> nearest =
        spark()
            .sql(
                "SELECT q.qid, d.id FROM metrics_q q JOIN metrics_items d APPROX NEAREST 5 BY"
                    + " DISTANCE vector_l2_distance(q.qv, d.vector)");
    assertEquals(200, nearest.collectAsList().size());
    spark().sparkContext().listenerBus().waitUntilEmpty();
    Map<String, Long> shown = sqlTabMetrics();
    assertEquals(40L, shown.get(JoinMetrics.QUERIES), shown.toString());
    assertEquals(120L, shown.get(JoinMetrics.SHARD_SEARCHES), shown.toString());
    assertTrue(
        nearest
            .queryExecution()
            .explainString(org.apache.spark.sql.execution.SimpleMode$.MODULE$)
            .contains("ZeroCopyJoinMetrics"));
  }

  @Test
  void tiesAreBrokenByShardThenRowWithBothStrategies() {
    float[][] same = new float[12][];
    for (int i = 0; i < same.length; i++) {
      same[i] = new float[] {1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f};
    }
    String ties = JoinFixtures.writeDataset(temp.resolve("ties"), same, 3, Metric.L2);
    float[][] one = {same[0]};
    List<List<String>> results = new ArrayList<>();
    for (String strategy : List.of("replicated", "partitioned", "replicated")) {
      results.add(
          lines(
              KnnJoin.knnJoin(
                  JoinFixtures.queryFrame(one, 1),
                  "qv",
                  ties,
                  4,
                  Map.of("exact", "true", "strategy", strategy))));
    }
    assertEquals(results.get(0), results.get(1));
    assertEquals(results.get(0), results.get(2));
    // the first rows of the first shard: the same ids the vec reader lists first
    List<String> expected = new ArrayList<>();
    List<Row> stored = spark().read().format("vec").load(ties).limit(4).collectAsList();
    for (int r = 0; r < 4; r++) {
      expected.add("0:" + (r + 1) + ":" + stored.get(r).getLong(0));
    }
    expected.sort(null);
    assertEquals(expected, results.get(0));
  }

  @Test
  void autoReplicatesSmallDatasets() {
    io.zerocopy.spark.dataset.VecManifest manifest =
        io.zerocopy.spark.dataset.DatasetDirectory.of(indexed).requireManifest();
    assertEquals(KnnJoinOptions.Strategy.REPLICATED, KnnJoin.chooseStrategy(spark(), manifest));
  }

  @Test
  void approximateWithoutIndexesSaysHowToBuildThem() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> KnnJoin.knnJoin(JoinFixtures.queryFrame(queries, 1), "qv", plain, 5, Map.of()));
    assertTrue(error.getMessage().contains("option(\"index\", \"hnsw\")"), error.getMessage());
  }

  @Test
  void nullVectorsAreReportedOrSkipped() {
    float[][] withNull = {queries[0], null, queries[2]};
    Exception error =
        assertThrows(
            Exception.class,
            () ->
                KnnJoin.knnJoin(
                        JoinFixtures.queryFrame(withNull, 1),
                        "qv",
                        plain,
                        3,
                        Map.of("exact", "true"))
                    .collectAsList());
    assertTrue(messages(error).contains("qid=1"), messages(error));
    assertTrue(messages(error).contains("null vector"), messages(error));
    Dataset<Row> skipped =
        KnnJoin.knnJoin(
            JoinFixtures.queryFrame(withNull, 1),
            "qv",
            plain,
            3,
            Map.of("exact", "true", "onNullVector", "skip"));
    assertEquals(6, skipped.count());
  }

  @Test
  void doubleVectorsAndBadArguments() {
    Dataset<Row> doubles =
        JoinFixtures.queryFrame(queries, 1).selectExpr("qid", "cast(qv as array<double>) as qv");
    assertEquals(
        expected(queries, 3, Metric.L2),
        lines(KnnJoin.knnJoin(doubles, "qv", plain, 3, Map.of("exact", "true"))));
    Dataset<Row> strings = JoinFixtures.queryFrame(queries, 1).selectExpr("qid", "'x' as qv");
    IllegalArgumentException type =
        assertThrows(
            IllegalArgumentException.class,
            () -> KnnJoin.knnJoin(strings, "qv", plain, 3, Map.of("exact", "true")));
    assertTrue(type.getMessage().contains("array<float> or array<double>"), type.getMessage());
    IllegalArgumentException option =
        assertThrows(
            IllegalArgumentException.class,
            () -> KnnJoin.knnJoin(doubles, "qv", plain, 3, Map.of("strategy", "broadcast")));
    assertTrue(option.getMessage().contains("strategy"), option.getMessage());
  }
}
