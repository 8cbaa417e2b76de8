package io.zerocopy.examples.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.datasets.FashionMnist;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job on a prefix of the real data, in a local session like the connector tests'. */
class FashionMnistJobTest {

  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("zero-copy-search-examples-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @TempDir Path temp;

  @Test
  void writesIndexesSearchesAndReportsRecallOnRealData() throws Exception {
    FashionMnist data = FashionMnist.standard();
    assertTrue(
        Files.isDirectory(data.sourceDir()),
        data.sourceDir() + " is missing: run scripts/install-data.sh");
    FashionMnistJob.Settings settings =
        FashionMnistJob.Settings.parse(
            "--train",
            "3000",
            "--queries",
            "200",
            "--sample",
            "50",
            "--shards",
            "2",
            "--m",
            "12",
            "--ef-construction",
            "80",
            "--output",
            temp.resolve("fmnist").toString());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    FashionMnistJob.Summary summary;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      summary = FashionMnistJob.run(spark, settings, out);
    }
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(3000, summary.vectors(), printed);
    assertEquals(200, summary.ids().length);
    assertEquals(10, summary.ids()[0].length);
    assertTrue(summary.recall() >= 0.9, printed);
    assertTrue(summary.labelAgreement() >= 0.6, printed);
    assertTrue(printed.contains("in 2 shards with HNSW indexes"), printed);
    assertTrue(printed.contains("9 Ankle boot"), printed); // test image 0
    assertTrue(printed.contains("recall@10 against exact search (BruteForce)"), printed);
    assertTrue(printed.contains("timings: "), printed);
  }

  @Test
  void rejectsBadOptions() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> FashionMnistJob.Settings.parse("--x", "1"))
            .getMessage()
            .contains("unknown option --x"));
    assertThrows(IllegalArgumentException.class, () -> FashionMnistJob.Settings.parse("--k", "0"));
    assertThrows(IllegalArgumentException.class, () -> FashionMnistJob.Settings.parse("--k"));
    assertEquals(60_000, FashionMnistJob.Settings.parse().train());
  }
}
