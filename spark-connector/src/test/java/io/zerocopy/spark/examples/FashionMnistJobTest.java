package io.zerocopy.spark.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.dataset.FashionMnist;
import io.zerocopy.spark.SparkTestBase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job on a prefix of the real data, in the shared local session. */
class FashionMnistJobTest extends SparkTestBase {

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
      summary = FashionMnistJob.run(spark(), settings, out);
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
