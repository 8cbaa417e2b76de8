package io.zerocopy.engine.codes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.store.FuzzFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Untrusted bytes as a {@code .pq} codes file: open must return codes whose every vector can be
 * read, decoded and scored to a number that is not NaN, or throw an IOException naming the file.
 * Seeds live in {@code PqCodesFuzzTestInputs/openAndScore}; {@code JAZZER_FUZZ=1} fuzzes
 * (bench/run-fuzz.sh).
 */
class PqCodesFuzzTest {

  private static Path dir;

  @BeforeAll
  static void createDirectory() throws IOException {
    dir = Files.createTempDirectory("pq-fuzz");
  }

  @AfterAll
  static void deleteDirectory() throws IOException {
    FuzzFiles.deleteTree(dir);
  }

  @FuzzTest(maxDuration = "10m")
  void openAndScore(byte[] bytes) throws IOException {
    Path file = FuzzFiles.write(dir.resolve("input.pq"), bytes);
    PqCodes codes;
    try {
      codes = PqCodes.open(file);
    } catch (IOException e) {
      assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
      return;
    }
    try (codes) {
      int d = codes.dimension();
      int m = codes.subspaces();
      assertEquals(PqCodes.codesOffset(d) + codes.size() * m, bytes.length);
      float[] query = new float[d];
      query[0] = 1;
      Metric metric = codes.unitVectors() ? Metric.COSINE : Metric.L2;
      float[] prepared = codes.prepare(query, metric, new float[codes.preparedLength()]);
      byte[] row = new byte[m];
      float[] decoded = new float[d];
      for (long id = 0; id < Math.min(codes.size(), 1000); id++) {
        codes.read(id, row, 0);
        codes.decode(row, 0, decoded);
        float score = codes.score(metric, prepared, row, 0, VectorKernel.selected());
        assertTrue(!Float.isNaN(score), "vector " + id + " scored NaN");
      }
    }
  }
}
