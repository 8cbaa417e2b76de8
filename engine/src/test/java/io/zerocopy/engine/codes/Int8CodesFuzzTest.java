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
 * Untrusted bytes as a {@code .i8} codes file: open must return codes whose every vector can be
 * read and scored to a finite or infinite number, or throw an IOException naming the file. Seeds
 * live in {@code Int8CodesFuzzTestInputs/openAndScore}; {@code JAZZER_FUZZ=1} fuzzes
 * (bench/run-fuzz.sh).
 */
class Int8CodesFuzzTest {

  private static Path dir;

  @BeforeAll
  static void createDirectory() throws IOException {
    dir = Files.createTempDirectory("i8-fuzz");
  }

  @AfterAll
  static void deleteDirectory() throws IOException {
    FuzzFiles.deleteTree(dir);
  }

  @FuzzTest(maxDuration = "10m")
  void openAndScore(byte[] bytes) throws IOException {
    Path file = FuzzFiles.write(dir.resolve("input.i8"), bytes);
    Int8Codes codes;
    try {
      codes = Int8Codes.open(file);
    } catch (IOException e) {
      assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
      return;
    }
    try (codes) {
      int d = codes.dimension();
      int version =
          java.nio.ByteBuffer.wrap(bytes, 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
      int boundBytes = version >= 2 ? 2 : 0;
      assertEquals(Int8Codes.codesOffset(d) + codes.size() * (d + boundBytes), bytes.length);
      float[] query = new float[d];
      query[0] = 1;
      Metric metric = codes.unitVectors() ? Metric.COSINE : Metric.L2;
      float[] prepared = codes.prepare(query, metric);
      byte[] row = new byte[d];
      for (long id = 0; id < Math.min(codes.size(), 1000); id++) {
        codes.read(id, row, 0);
        float score = codes.score(metric, prepared, row, 0, VectorKernel.selected());
        assertTrue(!Float.isNaN(score), "vector " + id + " scored NaN");
        float bound = codes.errorBound(id);
        assertTrue(bound >= 0, "vector " + id + " has error bound " + bound);
      }
    }
  }
}
