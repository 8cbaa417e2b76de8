package io.zerocopy.spark.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.spark.SparkTestBase;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.index.VecIndexTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nprobe on a clustered dataset: each query visits the shards of its nprobe nearest clusters only,
 * and the merged top-k stays right where the true neighbours lie in those clusters.
 */
class RoutedJoinTest extends SparkTestBase {

  private static final int ITEMS = 4_000;
  private static final int SHARDS = 16;

  @TempDir static Path temp;

  private static float[][] items;
  private static float[][] queries;
  private static String path;

  @BeforeAll
  static void writeClusteredDataset() {
    Random random = new Random(17);
    float[][] centres = new float[SHARDS][16];
    for (float[] centre : centres) {
      for (int j = 0; j < 16; j++) {
        centre[j] = (float) random.nextGaussian() * 6;
      }
    }
    float[][] all = new float[ITEMS + 60][16];
    for (float[] vector : all) {
      float[] centre = centres[random.nextInt(SHARDS)];
      for (int j = 0; j < 16; j++) {
        vector[j] = centre[j] + (float) random.nextGaussian();
      }
    }
    items = java.util.Arrays.copyOfRange(all, 0, ITEMS);
    queries = java.util.Arrays.copyOfRange(all, ITEMS, all.length);
    path = temp.resolve("clustered").toString();
    VecIndexTest.frame(items, 4)
        .write()
        .format("vec")
        .option("vectorColumn", "embedding")
        .option("idColumn", "id")
        .option("partitioning", "kmeans")
        .option("shards", String.valueOf(SHARDS))
        .option("index", "hnsw")
        .option("m", "8")
        .save(path);
  }

  /** The ids (1000 + row) of each query's k nearest items, exactly. */
  private static List<Set<Long>> truth(int k) {
    return truth(items, queries, k);
  }

  private static List<Set<Long>> truth(float[][] items, float[][] queries, int k) {
    List<Set<Long>> truth = new ArrayList<>();
    for (float[] query : queries) {
      Set<Long> ids = new HashSet<>();
      IntStream.range(0, ITEMS)
          .boxed()
          .sorted(Comparator.comparingDouble(i -> Distance.calculate(query, items[i], Metric.L2)))
          .limit(k)
          .forEach(i -> ids.add(1000L + i));
      truth.add(ids);
    }
    return truth;
  }

  private static String write(String name, float[][] vectors, String boundaryReplicas) {
    String location = temp.resolve(name).toString();
    VecIndexTest.frame(vectors, 4)
        .write()
        .format("vec")
        .option("vectorColumn", "embedding")
        .option("idColumn", "id")
        .option("partitioning", "kmeans")
        .option("shards", String.valueOf(SHARDS))
        .option("boundaryReplicas", boundaryReplicas)
        .option("index", "hnsw")
        .option("m", "8")
        .save(location);
    return location;
  }

  private static double recall(List<Row> rows, List<Set<Long>> truth, int k) {
    Map<Long, Set<Long>> found = new HashMap<>();
    for (Row row : rows) {
      found
          .computeIfAbsent(row.getLong(row.fieldIndex("qid")), q -> new HashSet<>())
          .add(row.getLong(row.fieldIndex(KnnJoin.NEIGHBOR_ID)));
    }
    int hits = 0;
    for (int q = 0; q < truth.size(); q++) {
      for (long id : found.getOrDefault((long) q, Set.of())) {
        hits += truth.get(q).contains(id) ? 1 : 0;
      }
    }
    return hits / (double) (truth.size() * k);
  }

  @Test
  void bothStrategiesVisitOnlyTheProbedShardsAndKeepRecall() throws Exception {
    DatasetDirectory directory = DatasetDirectory.of(path);
    VecManifest manifest = directory.requireManifest();
    int nprobe = 2;
    ShardRouting routing = ShardRouting.of(directory, manifest, nprobe, "test");
    long expectedSearches = 0;
    for (float[] query : queries) {
      int[] shards = routing.shards(query);
      assertTrue(shards.length >= 1 && shards.length <= nprobe, "one shard per cluster here");
      expectedSearches += shards.length;
    }
    List<Set<Long>> truth = truth(10);
    for (String strategy : List.of("replicated", "partitioned")) {
      for (String exact : List.of("true", "false")) {
        List<Row> rows =
            KnnJoin.knnJoin(
                    JoinFixtures.queryFrame(queries, 2),
                    "qv",
                    path,
                    10,
                    Map.of("strategy", strategy, "exact", exact, "nprobe", String.valueOf(nprobe)))
                .collectAsList();
        spark().sparkContext().listenerBus().waitUntilEmpty();
        Map<String, Long> metrics = KnnJoinTest.sqlTabMetrics();
        String what = strategy + " exact=" + exact;
        assertEquals(queries.length * 10, rows.size(), what);
        assertEquals((long) queries.length, metrics.get(JoinMetrics.QUERIES), what);
        assertEquals(expectedSearches, metrics.get(JoinMetrics.SHARD_SEARCHES), what);
        double recall = recall(rows, truth, 10);
        assertTrue(recall >= 0.95, what + ": recall@10 " + recall);
      }
    }
    // nprobe at least the cluster count is today's join: every shard, exact answers
    List<Row> all =
        KnnJoin.knnJoin(
                JoinFixtures.queryFrame(queries, 2),
                "qv",
                path,
                10,
                Map.of("exact", "true", "nprobe", "1000", "strategy", "partitioned"))
            .collectAsList();
    spark().sparkContext().listenerBus().waitUntilEmpty();
    assertEquals(1.0, recall(all, truth, 10));
    assertEquals(
        (long) queries.length * manifest.shards().size(),
        KnnJoinTest.sqlTabMetrics().get(JoinMetrics.SHARD_SEARCHES));
  }

  @Test
  void approximateSearchesProbeTheDefaultAndExactOnesEveryShard() throws Exception {
    // more clusters than the default probes: 24 (and a few more if k-means splits one)
    String many = temp.resolve("many").toString();
    VecIndexTest.frame(items, 4)
        .write()
        .format("vec")
        .option("vectorColumn", "embedding")
        .option("idColumn", "id")
        .option("partitioning", "kmeans")
        .option("shards", "24")
        .option("index", "hnsw")
        .option("m", "8")
        .save(many);
    DatasetDirectory directory = DatasetDirectory.of(many);
    VecManifest manifest = directory.requireManifest();
    assertTrue(manifest.shards().size() > ShardRouting.DEFAULT_NPROBE);
    ShardRouting routing =
        ShardRouting.of(directory, manifest, ShardRouting.DEFAULT_NPROBE, "test");
    long expected = 0;
    for (float[] query : queries) {
      expected += routing.shards(query).length;
    }
    for (String strategy : List.of("replicated", "partitioned")) {
      Map<String, Long> counts = new HashMap<>();
      for (String exact : List.of("false", "true")) {
        KnnJoin.knnJoin(
                JoinFixtures.queryFrame(queries, 2),
                "qv",
                many,
                10,
                Map.of("strategy", strategy, "exact", exact))
            .collectAsList();
        spark().sparkContext().listenerBus().waitUntilEmpty();
        counts.put(exact, KnnJoinTest.sqlTabMetrics().get(JoinMetrics.SHARD_SEARCHES));
      }
      assertEquals(expected, counts.get("false"), strategy + ": approximate, default nprobe");
      assertEquals(
          (long) queries.length * manifest.shards().size(),
          counts.get("true"),
          strategy + ": exact, every shard");
    }
    // vec_knn and APPROX NEAREST without the session conf: the default too
    spark().conf().unset(ShardRouting.NPROBE_CONF);
    assertEquals(
        ShardRouting.DEFAULT_NPROBE, ShardRouting.fromConf(spark(), directory, manifest).nprobe());
  }

  @Test
  void boundaryReplicasAreFoundOnceAndRaiseRecallAtTheSameNprobe() throws Exception {
    // overlapping clusters, where routing loses neighbours across boundaries
    Random random = new Random(23);
    float[][] all = new float[ITEMS + 60][16];
    for (float[] vector : all) {
      for (int j = 0; j < 16; j++) {
        vector[j] = (float) random.nextGaussian() * (j < 4 ? 3 : 1);
      }
    }
    float[][] vectors = java.util.Arrays.copyOfRange(all, 0, ITEMS);
    float[][] probes = java.util.Arrays.copyOfRange(all, ITEMS, all.length);
    String path = write("overlapping", vectors, "0");
    String replicated = write("overlapping-replicated", vectors, "0.3");
    assertTrue(DatasetDirectory.of(replicated).requireManifest().hasReplicas());
    List<Set<Long>> truth = truth(vectors, probes, 10);
    for (String strategy : List.of("replicated", "partitioned")) {
      for (String exact : List.of("true", "false")) {
        Map<String, Double> recalls = new HashMap<>();
        for (String dataset : List.of(path, replicated)) {
          for (String nprobe : List.of("1", "1000")) {
            List<Row> rows =
                KnnJoin.knnJoin(
                        JoinFixtures.queryFrame(probes, 2),
                        "qv",
                        dataset,
                        10,
                        Map.of("strategy", strategy, "exact", exact, "nprobe", nprobe))
                    .collectAsList();
            String what = strategy + " exact=" + exact + " nprobe=" + nprobe + " " + dataset;
            assertEquals(probes.length * 10, rows.size(), what);
            Set<String> pairs = new HashSet<>();
            Map<Long, Integer> lastRank = new HashMap<>();
            for (Row row : rows) {
              long qid = row.getLong(row.fieldIndex("qid"));
              long id = row.getLong(row.fieldIndex(KnnJoin.NEIGHBOR_ID));
              assertTrue(pairs.add(qid + "/" + id), what + ": " + id + " twice for query " + qid);
              int rank = row.getInt(row.fieldIndex(KnnJoin.RANK));
              assertTrue(rank >= 1 && rank <= 10, what);
              lastRank.merge(qid, rank, Math::max);
            }
            lastRank.values().forEach(rank -> assertEquals(10, rank, what + ": ranks 1..10"));
            recalls.put(dataset + nprobe, recall(rows, truth, 10));
          }
        }
        String what = strategy + " exact=" + exact + " " + recalls;
        if (exact.equals("true")) {
          assertEquals(1.0, recalls.get(replicated + "1000"), what);
        }
        double plain = recalls.get(path + "1");
        double withReplicas = recalls.get(replicated + "1");
        assertTrue(withReplicas > plain || plain >= 0.99, what);
      }
    }
  }

  @Test
  void vecKnnAndApproxNearestByFollowTheSessionConf() throws Exception {
    DatasetDirectory directory = DatasetDirectory.of(path);
    ShardRouting routing = ShardRouting.of(directory, directory.requireManifest(), 3, "test");
    long expectedSearches = 0;
    for (float[] query : queries) {
      expectedSearches += routing.shards(query).length;
    }
    List<Set<Long>> truth = truth(10);
    JoinFixtures.queryFrame(queries, 2).createOrReplaceTempView("routed_q");
    spark().read().format("vec").load(path).createOrReplaceTempView("routed_items");
    spark().conf().set(ShardRouting.NPROBE_CONF, "3");
    try {
      List<Row> nearest =
          sql("SELECT q.qid, d.id AS neighbor_id FROM routed_q q JOIN routed_items d APPROX"
                  + " NEAREST 10 BY DISTANCE vector_l2_distance(q.qv, d.vector)")
              .collectAsList();
      spark().sparkContext().listenerBus().waitUntilEmpty();
      assertEquals(expectedSearches, KnnJoinTest.sqlTabMetrics().get(JoinMetrics.SHARD_SEARCHES));
      assertTrue(recall(nearest, truth, 10) >= 0.95, "recall " + recall(nearest, truth, 10));
      // EXACT NEAREST stays exact: every shard
      sql("SELECT q.qid, d.id FROM routed_q q JOIN routed_items d EXACT NEAREST 10 BY DISTANCE"
              + " vector_l2_distance(q.qv, d.vector)")
          .collectAsList();
      spark().sparkContext().listenerBus().waitUntilEmpty();
      long shards = directory.requireManifest().shards().size();
      assertEquals(
          queries.length * shards, KnnJoinTest.sqlTabMetrics().get(JoinMetrics.SHARD_SEARCHES));
      // vec_knn: the same routing, its EXPLAIN says so
      Dataset<Row> knn = sql("SELECT qid, vec_knn('" + path + "', qv, 10) AS nn FROM routed_q");
      assertTrue(
          knn.queryExecution()
              .explainString(org.apache.spark.sql.execution.SimpleMode$.MODULE$)
              .contains("nprobe=3"));
      List<Row> rows = new ArrayList<>();
      for (Row row : knn.collectAsList()) {
        for (Row neighbour : row.<Row>getList(1)) {
          rows.add(org.apache.spark.sql.RowFactory.create(row.getLong(0), neighbour.getLong(0)));
        }
      }
      assertTrue(recallOfPairs(rows, truth) >= 0.95);
      spark().conf().set(ShardRouting.NPROBE_CONF, "none");
      String message =
          messages(
              assertThrows(
                  Exception.class,
                  () ->
                      sql("SELECT vec_knn('" + path + "', qv, 10) FROM routed_q").collectAsList()));
      assertTrue(
          message.contains(ShardRouting.NPROBE_CONF + ": expected a positive integer, got 'none'"),
          message);
    } finally {
      spark().conf().unset(ShardRouting.NPROBE_CONF);
    }
  }

  private static double recallOfPairs(List<Row> pairs, List<Set<Long>> truth) {
    int hits = 0;
    for (Row pair : pairs) {
      hits += truth.get((int) pair.getLong(0)).contains(pair.getLong(1)) ? 1 : 0;
    }
    return hits / (double) (queries.length * 10);
  }

  @Test
  void badValuesAndUnclusteredDatasetsAreNamed() {
    // a query with an unusable vector is shipped whole and named by its row, as unrouted
    float[][] withShort = java.util.Arrays.copyOf(queries, queries.length);
    withShort[7] = new float[3];
    String shortMessage =
        messages(
            assertThrows(
                Exception.class,
                () ->
                    KnnJoin.knnJoin(
                            JoinFixtures.queryFrame(withShort, 2),
                            "qv",
                            path,
                            5,
                            Map.of("nprobe", "2", "strategy", "partitioned"))
                        .collectAsList()));
    assertTrue(
        shortMessage.contains("query row [qid=7] has a vector of dimension 3"), shortMessage);
    for (String bad : List.of("0", "-3", "two", "1.5")) {
      String message =
          messages(
              assertThrows(
                  Exception.class,
                  () ->
                      KnnJoin.knnJoin(
                          JoinFixtures.queryFrame(queries, 1),
                          "qv",
                          path,
                          5,
                          Map.of("nprobe", bad))));
      assertTrue(
          message.contains("option 'nprobe': expected a positive integer, got '" + bad + "'"),
          message);
    }
    String plain = JoinFixtures.writeDataset(temp.resolve("plain"), items, 2, Metric.L2);
    String message =
        messages(
            assertThrows(
                Exception.class,
                () ->
                    KnnJoin.knnJoin(
                        JoinFixtures.queryFrame(queries, 1),
                        "qv",
                        plain,
                        5,
                        Map.of("nprobe", "2", "exact", "true"))));
    assertTrue(
        message.contains("option 'nprobe': vec dataset " + plain + " is not clustered"), message);
  }
}
