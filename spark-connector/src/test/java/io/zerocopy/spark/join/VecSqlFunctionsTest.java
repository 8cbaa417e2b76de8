package io.zerocopy.spark.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.spark.SparkTestBase;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VecSqlFunctionsTest extends SparkTestBase {

  @TempDir static Path temp;

  static float[][] items;
  static float[][] queries;
  static String indexed;
  static String plain;

  @BeforeAll
  static void data() throws Exception {
    items = JoinFixtures.randomVectors(400, 6, 21);
    queries = JoinFixtures.randomVectors(10, 6, 22);
    indexed = JoinFixtures.writeDataset(temp.resolve("indexed"), items, 2, Metric.L2);
    JoinFixtures.buildIndexes(indexed, 16, 100);
    plain = JoinFixtures.writeDataset(temp.resolve("plain"), items, 1, Metric.L2);
    JoinFixtures.queryFrame(queries, 2).createOrReplaceTempView("fq");
  }

  @Test
  void vecDistanceComputesEachMetric() {
    Row row =
        sql("SELECT vec_distance(array(1.0f, 2.0f), array(4.0f, 6.0f)),"
                + " vec_distance(array(1.0d, 0.0d), array(0.0d, 1.0d), 'cosine'),"
                + " vec_distance(array(1.0f, 2.0f), array(3.0f, 4.0f), 'DOT'),"
                + " vec_distance(cast(null as array<float>), array(1.0f, 2.0f))")
            .first();
    assertEquals(5f, row.getFloat(0), 1e-6);
    assertEquals(1f, row.getFloat(1), 1e-6);
    assertEquals(-11f, row.getFloat(2), 1e-6);
    assertTrue(row.isNullAt(3));
  }

  @Test
  void vecKnnSearchesAllShardsAndMergesThem() throws Exception {
    List<Row> rows =
        sql("SELECT qid, vec_knn('" + indexed + "', qv, 5, 64) AS nn FROM fq ORDER BY qid")
            .collectAsList();
    assertEquals(10, rows.size());
    long hits = 0;
    try (VectorStore store = VectorStore.open(JoinFixtures.vectorsFile(temp.resolve("plain")))) {
      for (Row row : rows) {
        float[] query = queries[(int) row.getLong(0)];
        List<Row> neighbours = row.getList(1);
        assertEquals(5, neighbours.size());
        List<Neighbor> truth = BruteForce.search(store, query, 5, Metric.L2);
        for (Row neighbour : neighbours) {
          long id = neighbour.getLong(0);
          assertEquals(
              Distance.calculate(query, items[(int) id], Metric.L2), neighbour.getFloat(1), 1e-4);
          hits += truth.stream().filter(n -> n.id() == id).count();
        }
      }
    }
    assertTrue(hits >= 48, "recall " + hits + " of 50");
  }

  @Test
  void vecKnnReadsOnlyVecDatasets() throws Exception {
    Path notADataset = java.nio.file.Files.createDirectories(temp.resolve("just-a-directory"));
    Path aFile = java.nio.file.Files.writeString(temp.resolve("notes.txt"), "hello");
    Path dotDot = java.nio.file.Files.createDirectories(temp.resolve("dot-dot"));
    // a manifest as earlier releases wrote it: a single _manifest.json, still read
    io.zerocopy.spark.dataset.DatasetDirectory source =
        io.zerocopy.spark.dataset.DatasetDirectory.of(indexed);
    String manifest =
        java.nio.file.Files.readString(
            source.versionPath(source.readVersion().orElseThrow().version()));
    String vecFile = manifest.replaceAll("(?s).*\"file\" : \"([^\"]+\\.vec)\".*", "$1");
    java.nio.file.Files.writeString(
        dotDot.resolve("_manifest.json"), manifest.replace("\"" + vecFile + "\"", "\"..\""));
    String[][] cases = {
      {notADataset.toString(), "is not a vec dataset: it has no manifest"},
      {aFile.toString(), aFile.toString()},
      {temp.resolve("missing").toString(), "the directory does not exist"},
      {dotDot.toString(), "file name '..' is a directory reference"},
    };
    for (String[] c : cases) {
      AnalysisException error =
          assertThrows(
              AnalysisException.class,
              () -> sql("SELECT vec_knn('" + c[0] + "', qv, 5) FROM fq"),
              c[0]);
      assertTrue(error.getMessage().contains(c[1]), error.getMessage());
    }
    // every shard file a link to the real dataset's: the manifest is valid, the files are not
    Path linked = java.nio.file.Files.createDirectories(temp.resolve("linked"));
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(Path.of(indexed))) {
      for (Path file : files.toList()) {
        if (file.getFileName().toString().equals("_manifests")) {
          java.nio.file.Files.writeString(linked.resolve("_manifest.json"), manifest);
        } else {
          java.nio.file.Files.createSymbolicLink(linked.resolve(file.getFileName()), file);
        }
      }
    }
    Exception error =
        assertThrows(
            Exception.class,
            () -> sql("SELECT vec_knn('" + linked + "', qv, 5) FROM fq").collectAsList());
    assertTrue(messages(error).contains("outside the dataset directory"), messages(error));
  }

  @Test
  void badArgumentsFailAtAnalysisNamingTheTypes() {
    String[][] cases = {
      {
        "SELECT vec_distance('a', array(1.0f))",
        "has type string, expected array<float> or array<double>"
      },
      {"SELECT vec_distance(array(1.0f), array(1.0f), 'hamming')", "unknown metric 'hamming'"},
      {"SELECT vec_distance(array(1.0f))", "got 1 arguments"},
      {
        "SELECT vec_knn('" + indexed + "', array(1, 2), 5)",
        "has type array<int>, expected array<float> or array<double>"
      },
      {
        "SELECT vec_knn('" + indexed + "', qv, 'five') FROM fq",
        "k (\\'five\\') must be a constant int"
      },
      {
        "SELECT vec_knn('" + indexed + "', qv, cast(qid as int)) FROM fq",
        "must be a constant int, got a non-constant int"
      },
      {"SELECT vec_knn('" + plain + "', qv, 5) FROM fq", "option(\"index\", \"hnsw\")"},
    };
    for (String[] c : cases) {
      // spark.sql analyses eagerly: the error comes before any job runs
      AnalysisException error = assertThrows(AnalysisException.class, () -> sql(c[0]), c[0]);
      assertTrue(error.getMessage().contains(c[1].replace("\\'", "'")), error.getMessage());
    }
  }
}
