package io.zerocopy.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.zerocopy.engine.store.FuzzFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Untrusted bytes as a {@code .centroids} file: read must return centres that route any query, or
 * throw an IOException naming the file. {@code JAZZER_FUZZ=1} fuzzes (bench/run-fuzz.sh).
 */
class CentroidsFileFuzzTest {

  private static Path dir;

  @BeforeAll
  static void createDirectory() throws IOException {
    dir = Files.createTempDirectory("centroids-fuzz");
  }

  @AfterAll
  static void deleteDirectory() throws IOException {
    FuzzFiles.deleteTree(dir);
  }

  @FuzzTest(maxDuration = "10m")
  void read(byte[] bytes) throws IOException {
    Path file = FuzzFiles.write(dir.resolve("input.centroids"), bytes);
    Centroids centroids;
    try {
      centroids = CentroidsFile.read(file);
    } catch (IOException e) {
      assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
      return;
    }
    assertEquals(
        CentroidsFile.HEADER_BYTES + 4L * centroids.count() * centroids.dimension(), bytes.length);
    float[] query = new float[centroids.dimension()];
    query[0] = 1;
    int[] routed = centroids.route(query, 3);
    assertEquals(Math.min(3, centroids.count()), routed.length);
    assertTrue(centroids.assign(query) < centroids.count());
  }
}
