package io.zerocopy.bench.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.bench.hnsw.PrepareWordnet;
import io.zerocopy.bench.hnsw.WordnetSentences;
import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.spark.join.KnnJoin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routed search on real embeddings: MiniLM vectors of WordNet sentences (the Debian package the
 * project installs), written as 64 k-means shards with boundary replicas, searched with nprobe 8
 * (shards / 8) through the Spark join: recall@10 against exact search over everything.
 */
class MiniLmRoutedRecallTest {

  private static final int SENTENCES = 20_000;
  private static final int QUERIES = 200;
  private static final int SHARDS = 64;
  private static final int NPROBE = SHARDS / 8;

  @TempDir static Path temp;

  private static SparkSession spark;
  private static float[][] items;
  private static float[][] queries;

  @BeforeAll
  static void embedSentences() throws Exception {
    boolean installed = Files.isRegularFile(WordnetSentences.DEBIAN_DIR.resolve("data.noun"));
    if (System.getenv("CI") == null) {
      Assumptions.assumeTrue(installed, "wordnet-base is not installed (scripts/install-data.sh)");
    }
    // embeds once, then reads the cache (~/.cache/zero-copy-search/wordnet-minilm/...)
    Map<String, String> prepared =
        prepare(
            "--limit",
            String.valueOf(SENTENCES),
            "--queries",
            String.valueOf(QUERIES),
            "--threads",
            "2");
    items = read(Path.of(prepared.get("WORDNET_TRAIN_VEC")));
    queries = read(Path.of(prepared.get("WORDNET_QUERIES_VEC")));
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("MiniLmRoutedRecallTest")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** PrepareWordnet's KEY='value' lines. */
  private static Map<String, String> prepare(String... args) throws Exception {
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      PrepareWordnet.main(args);
    } finally {
      System.setOut(out);
    }
    Map<String, String> values = new HashMap<>();
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      int equals = line.indexOf('=');
      if (equals > 0) {
        values.put(line.substring(0, equals), line.substring(equals + 1).replace("'", ""));
      }
    }
    return values;
  }

  private static float[][] read(Path file) throws IOException {
    try (VectorStore store = VectorStore.open(file)) {
      float[][] vectors = new float[Math.toIntExact(store.size())][];
      for (int i = 0; i < vectors.length; i++) {
        vectors[i] = store.get(i);
      }
      return vectors;
    }
  }

  private static Dataset<Row> frame(float[][] vectors, String id, String vector, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < vectors.length; i++) {
      List<Float> values = new ArrayList<>(vectors[i].length);
      for (float v : vectors[i]) {
        values.add(v);
      }
      rows.add(RowFactory.create((long) i, values));
    }
    StructType schema =
        new StructType()
            .add(id, DataTypes.LongType, false)
            .add(vector, DataTypes.createArrayType(DataTypes.FloatType, false), false);
    return spark.createDataFrame(rows, schema).repartition(partitions);
  }

  /** Each query's 10 nearest items by cosine, over everything. */
  private static List<Set<Long>> truth() {
    List<Set<Long>> truth = new ArrayList<>();
    for (float[] query : queries) {
      float[] distances = new float[items.length];
      for (int i = 0; i < items.length; i++) {
        distances[i] = Distance.calculate(query, items[i], Metric.COSINE);
      }
      Set<Long> ids = new HashSet<>();
      IntStream.range(0, items.length)
          .boxed()
          .sorted(Comparator.comparingDouble(i -> distances[i]))
          .limit(10)
          .forEach(i -> ids.add((long) i));
      truth.add(ids);
    }
    return truth;
  }

  @Test
  void recallAtTenIsAtLeast095WithAnEighthOfTheShardsProbed() {
    String path = temp.resolve("minilm").toString();
    frame(items, "id", "embedding", 4)
        .write()
        .format("vec")
        .option("vectorColumn", "embedding")
        .option("idColumn", "id")
        .option("metric", "cosine")
        .option("partitioning", "kmeans")
        .option("shards", String.valueOf(SHARDS))
        .option("boundaryReplicas", "0.2")
        .option("index", "hnsw")
        .save(path);
    List<Set<Long>> truth = truth();
    Map<String, Double> recalls = new HashMap<>();
    for (String exact : List.of("true", "false")) {
      List<Row> rows =
          KnnJoin.knnJoin(
                  frame(queries, "qid", "qv", 2),
                  "qv",
                  path,
                  10,
                  Map.of("exact", exact, "nprobe", String.valueOf(NPROBE), "ef", "100"))
              .collectAsList();
      assertEquals(QUERIES * 10, rows.size());
      int hits = 0;
      for (Row row : rows) {
        int query = (int) row.getLong(row.fieldIndex("qid"));
        hits += truth.get(query).contains(row.getLong(row.fieldIndex(KnnJoin.NEIGHBOR_ID))) ? 1 : 0;
      }
      recalls.put(exact.equals("true") ? "exact" : "hnsw ef 100", hits / (QUERIES * 10.0));
    }
    System.out.println(
        "MiniLM routed recall@10, nprobe " + NPROBE + " of " + SHARDS + ": " + recalls);
    recalls.forEach(
        (search, recall) ->
            assertTrue(recall >= 0.95, search + ": recall@10 " + recall + " " + recalls));
  }
}
