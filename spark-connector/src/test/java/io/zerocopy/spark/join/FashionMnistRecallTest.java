package io.zerocopy.spark.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.datasets.FashionMnist;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.spark.SparkTestBase;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recall@10 of the approximate joins against exact search on a Fashion-MNIST sample: 6,000 training
 * images in two indexed shards, 100 test images as queries.
 */
class FashionMnistRecallTest extends SparkTestBase {

  static final int ITEMS = 6_000;
  static final int QUERIES = 100;
  static final int K = 10;

  @TempDir static Path temp;

  static String path;
  static Map<Long, Set<Long>> truth = new HashMap<>();

  @BeforeAll
  static void data() throws Exception {
    FashionMnist fashion = FashionMnist.standard();
    float[][] items = new float[ITEMS][];
    float[][] queries = new float[QUERIES][];
    try (VectorStore train = VectorStore.open(fashion.vectors(FashionMnist.Split.TRAIN));
        VectorStore test = VectorStore.open(fashion.vectors(FashionMnist.Split.TEST))) {
      for (int i = 0; i < ITEMS; i++) {
        items[i] = train.get(i);
      }
      for (int i = 0; i < QUERIES; i++) {
        queries[i] = test.get(i);
      }
    }
    Path sample = temp.resolve("sample.vec");
    VectorStore.create(sample, items);
    try (VectorStore store = VectorStore.open(sample)) {
      List<List<Neighbor>> exact = BruteForce.searchBatch(store, queries, K, Metric.L2);
      for (int q = 0; q < QUERIES; q++) {
        Set<Long> ids = new HashSet<>();
        exact.get(q).forEach(n -> ids.add(n.id()));
        truth.put((long) q, ids);
      }
    }
    path = JoinFixtures.writeDataset(temp.resolve("fashion"), items, 2, Metric.L2);
    JoinFixtures.buildIndexes(path, 16, 100);
    JoinFixtures.queryFrame(queries, 2).createOrReplaceTempView("fashion_queries");
    spark().read().format("vec").load(path).createOrReplaceTempView("fashion_items");
  }

  /** Recall@10 of (qid, neighbour id) rows. */
  static double recall(Dataset<Row> rows) {
    long hits = 0;
    long count = 0;
    for (Row row : rows.collectAsList()) {
      count++;
      if (truth.get(row.getLong(0)).contains(row.getLong(1))) {
        hits++;
      }
    }
    assertEquals(QUERIES * K, count);
    return hits / (double) (QUERIES * K);
  }

  @Test
  void approxNearestJoinReachesRecall95() {
    Dataset<Row> joined =
        sql(
            "SELECT q.qid, d.id FROM fashion_queries q JOIN fashion_items d APPROX NEAREST 10"
                + " BY DISTANCE vector_l2_distance(q.qv, d.vector)");
    assertTrue(NearestByJoinTest.ours(joined));
    double recall = recall(joined);
    System.out.println("APPROX NEAREST recall@10 = " + recall);
    assertTrue(recall >= 0.95, "recall@10 " + recall);
  }

  @Test
  void knnJoinReachesRecall95WithBothStrategies() {
    for (String strategy : List.of("replicated", "partitioned")) {
      Dataset<Row> joined =
          KnnJoin.knnJoin(
                  spark().table("fashion_queries"), "qv", path, K, Map.of("strategy", strategy))
              .select("qid", "neighbor_id");
      double recall = recall(joined);
      System.out.println("knnJoin " + strategy + " recall@10 = " + recall);
      assertTrue(recall >= 0.95, strategy + ": recall@10 " + recall);
    }
    Dataset<Row> exact =
        KnnJoin.knnJoin(spark().table("fashion_queries"), "qv", path, K, Map.of("exact", "true"))
            .select("qid", "neighbor_id");
    assertEquals(1.0, recall(exact));
  }
}
