package io.zerocopy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.datasets.FashionMnist;
import io.zerocopy.engine.distance.Distance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class EngineDemoTest {

  @Test
  void runsOnASmallSampleOfTheRealData() throws IOException {
    FashionMnist data = FashionMnist.standard();
    assertTrue(
        Files.isDirectory(data.sourceDir()),
        data.sourceDir() + " is missing: run scripts/install-data.sh");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    EngineDemo.Summary summary;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      summary = EngineDemo.run(data, new EngineDemo.Options(3, 40, 5, 2), out);
    }
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("distance kernel: " + Distance.kernelName()), printed);
    assertTrue(printed.contains("query: test image 0, Ankle boot"), printed);
    assertTrue(printed.contains("rank  train id"), printed);
    assertTrue(printed.contains("queries/s"), printed);
    assertTrue(printed.contains("GB/s"), printed);
    assertEquals(60_000, summary.trainVectors());
    assertEquals(784, summary.dimension());
    // exact L2 k-NN on Fashion-MNIST agrees with the query's label most of the time (~85%)
    assertTrue(summary.singleAgreement() >= 0.6, printed);
    assertTrue(summary.batchAgreement() >= 0.6, printed);
    assertTrue(summary.batchAccuracy() >= 0.6, printed);
    assertTrue(summary.batchQueriesPerSecond() > 0, printed);
  }

  @Test
  void parsesOptionsAndRejectsBadOnes() {
    EngineDemo.Options o = EngineDemo.Options.parse("--queries", "2", "--batch", "0", "--k", "3");
    assertEquals(2, o.queries());
    assertEquals(0, o.batch());
    assertEquals(3, o.k());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> EngineDemo.Options.parse("--kk", "3"));
    assertTrue(e.getMessage().contains("unknown option '--kk'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> EngineDemo.Options.parse("--k", "0"));
    assertThrows(IllegalArgumentException.class, () -> EngineDemo.Options.parse("--k", "x"));
    assertThrows(IllegalArgumentException.class, () -> EngineDemo.Options.parse("--batch"));
  }
}
