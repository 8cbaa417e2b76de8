package io.zerocopy.engine.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In-place appends: new vectors after the old, header count last, open stores unaffected. */
class VectorStoreAppendTest {

  @TempDir Path dir;

  @Test
  void appendsInPlaceAndKeepsOpenStoresValid() throws Exception {
    Path file = dir.resolve("a.vec");
    float[][] first = {{1, 2, 3}, {4, 5, 6}};
    VectorStore.create(file, first);
    try (VectorStore before = VectorStore.open(file)) {
      float[][] more = new float[3000][3];
      for (int i = 0; i < more.length; i++) {
        more[i] = new float[] {i, -i, 0.5f * i};
      }
      assertEquals(3002, VectorStore.append(file, more));
      assertEquals(VecHeader.BYTES + 3002L * 3 * 4, Files.size(file));
      assertEquals(2, before.size());
      assertArrayEquals(first[1], before.get(1));
      try (VectorStore after = VectorStore.open(file)) {
        assertEquals(3002, after.size());
        assertArrayEquals(first[0], after.get(0));
        assertArrayEquals(more[2999], after.get(3001));
      }
      assertEquals(3002, VectorStore.append(file, new float[0][]));
    }
  }

  @Test
  void rejectsBadVectorsBeforeWritingAnything() throws Exception {
    Path file = dir.resolve("b.vec");
    VectorStore.create(file, new float[][] {{1, 2}});
    long size = Files.size(file);
    IllegalArgumentException wrongDimension =
        assertThrows(
            IllegalArgumentException.class,
            () -> VectorStore.append(file, new float[][] {{1, 2}, {1, 2, 3}}));
    assertTrue(wrongDimension.getMessage().contains("vector 2 has dimension 3"));
    assertTrue(wrongDimension.getMessage().contains(file.toString()));
    assertThrows(
        IllegalArgumentException.class,
        () -> VectorStore.append(file, new float[][] {{Float.NaN, 2}}));
    assertEquals(size, Files.size(file));
    assertThrows(
        java.nio.file.NoSuchFileException.class,
        () -> VectorStore.append(dir.resolve("none.vec"), new float[][] {{1, 2}}));
  }
}
