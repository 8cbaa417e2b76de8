package io.zerocopy.engine.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Untrusted bytes as a {@code .vec} file: open must return a store whose every vector can be read,
 * or throw a {@link VecFormatException} naming the file. Seeds (regression inputs) live in {@code
 * VecFileFuzzTestInputs/openAndRead}; {@code JAZZER_FUZZ=1} fuzzes (bench/run-fuzz.sh).
 */
class VecFileFuzzTest {

  private static Path dir;

  @BeforeAll
  static void createDirectory() throws IOException {
    dir = Files.createTempDirectory("vec-fuzz");
  }

  @AfterAll
  static void deleteDirectory() throws IOException {
    FuzzFiles.deleteTree(dir);
  }

  @FuzzTest(maxDuration = "10m")
  void openAndRead(byte[] bytes) throws IOException {
    Path file = FuzzFiles.write(dir.resolve("input.vec"), bytes);
    VectorStore store;
    try {
      store = VectorStore.open(file);
    } catch (VecFormatException e) {
      assertEquals(file, e.file());
      assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
      return;
    }
    try (store) {
      long exact = VecHeader.BYTES + store.size() * store.dimension() * 4L;
      if (bytes.length != exact) {
        // only an unfinished append (header mark "APND" in the padding) may leave a longer file
        boolean marked =
            bytes[20] == 'A' && bytes[21] == 'P' && bytes[22] == 'N' && bytes[23] == 'D';
        assertTrue(marked && bytes.length > exact, "size " + bytes.length + ", expected " + exact);
      }
      float[] block = new float[(int) store.size() * store.dimension()];
      store.readBlock(0, (int) store.size(), block, 0);
      for (long id = 0; id < store.size(); id++) {
        float[] one = new float[store.dimension()];
        store.read(id, one, 0);
        assertArrayEquals(store.get(id), one);
      }
    }
  }
}
