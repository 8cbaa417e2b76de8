package io.zerocopy.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Untrusted bytes through the importers: {@code .fvecs}, {@code .ivecs} and IDX (plain or gzip).
 * Each must produce a result consistent with the input, or throw a {@link DatasetFormatException}
 * or another {@link IOException} whose message names the file; never another exception type.
 */
class DatasetFilesFuzzTest {

  private static Path dir;

  @BeforeAll
  static void createDirectory() throws IOException {
    dir = Files.createTempDirectory("dataset-fuzz");
  }

  @AfterAll
  static void deleteDirectory() throws IOException {
    // the engine's FuzzFiles is test code of another module: this one walk is all we need of it
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  @FuzzTest(maxDuration = "10m")
  void fvecs(byte[] bytes) throws IOException {
    Path file = Files.write(dir.resolve("input.fvecs"), bytes);
    Path vec = dir.resolve("fvecs.vec");
    Files.deleteIfExists(vec);
    long count;
    try {
      count = Fvecs.importToVec(file, vec);
    } catch (IOException e) {
      assertNamesFile(file, e);
      assertTrue(Files.notExists(vec), "a failed import left " + vec);
      return;
    }
    float[][] rows = Fvecs.read(file);
    assertEquals(count, rows.length);
    try (VectorStore store = VectorStore.open(vec)) {
      assertEquals(count, store.size());
      assertEquals(rows[0].length, store.dimension());
      assertEquals((long) rows.length * (4 + 4 * rows[0].length), bytes.length);
    }
  }

  @FuzzTest(maxDuration = "10m")
  void ivecs(byte[] bytes) throws IOException {
    Path file = Files.write(dir.resolve("input.ivecs"), bytes);
    int[][] rows;
    try {
      rows = Ivecs.read(file);
    } catch (IOException e) {
      assertNamesFile(file, e);
      return;
    }
    assertTrue(rows.length > 0);
    assertEquals((long) rows.length * (4 + 4 * rows[0].length), bytes.length);
  }

  /** The first byte picks the reader (images or labels); the rest is the IDX file. */
  @FuzzTest(maxDuration = "10m")
  void idx(byte[] input) throws IOException {
    if (input.length < 1) {
      return;
    }
    byte[] bytes = java.util.Arrays.copyOfRange(input, 1, input.length);
    Path file = Files.write(dir.resolve("input-idx-ubyte"), bytes);
    if ((input[0] & 1) == 0) {
      Path vec = dir.resolve("idx.vec");
      Files.deleteIfExists(vec);
      long count;
      try {
        count = FashionMnist.convertImages(file, vec);
      } catch (IOException e) {
        assertNamesFile(file, e);
        assertTrue(Files.notExists(vec), "a failed conversion left " + vec);
        return;
      }
      try (VectorStore store = VectorStore.open(vec)) {
        assertEquals(count, store.size());
      }
    } else {
      byte[] labels;
      try {
        labels = FashionMnist.readLabels(file);
      } catch (IOException e) {
        assertNamesFile(file, e);
        return;
      }
      for (byte label : labels) {
        assertTrue(label >= 0 && label < FashionMnist.CLASSES);
      }
    }
  }

  private static void assertNamesFile(Path file, IOException e) {
    String message = String.valueOf(e.getMessage());
    assertTrue(message.contains(file.toString()), e + " does not name " + file);
    if (e instanceof DatasetFormatException format) {
      assertEquals(file, format.file());
    }
  }
}
