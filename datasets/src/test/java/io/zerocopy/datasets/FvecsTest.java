package io.zerocopy.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FvecsTest {

  @TempDir Path dir;

  static float[][] random(int n, int d, long seed) {
    Random random = new Random(seed);
    float[][] v = new float[n][d];
    for (float[] row : v) {
      for (int i = 0; i < d; i++) {
        row[i] = (float) random.nextGaussian();
      }
    }
    return v;
  }

  /** Hand-made records: each int[] is {dimension, raw float bits...}. */
  static Path records(Path file, int... words) throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(words.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int w : words) {
      bytes.putInt(w);
    }
    Files.write(file, bytes.array());
    return file;
  }

  @Test
  void writesTheDocumentedLayout() throws IOException {
    Path file = dir.resolve("a.fvecs");
    Fvecs.write(file, new float[][] {{1f, 2f}, {3f, 4f}});
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(24, bytes.remaining());
    assertEquals(2, bytes.getInt());
    assertEquals(1f, bytes.getFloat());
    assertEquals(2f, bytes.getFloat());
    assertEquals(2, bytes.getInt());
    assertEquals(3f, bytes.getFloat());
    assertEquals(4f, bytes.getFloat());
  }

  @Test
  void importThenExportRoundTripsByteForByte() throws IOException {
    float[][] vectors = random(1000, 37, 1);
    Path fvecs = dir.resolve("in.fvecs");
    Fvecs.write(fvecs, vectors);
    Path vec = dir.resolve("data.vec");
    assertEquals(1000, Fvecs.importToVec(fvecs, vec));
    try (VectorStore store = VectorStore.open(vec)) {
      assertEquals(1000, store.size());
      assertEquals(37, store.dimension());
      for (int i = 0; i < vectors.length; i++) {
        assertArrayEquals(vectors[i], store.get(i));
      }
      Path out = dir.resolve("out.fvecs");
      assertEquals(1000, Fvecs.export(store, out));
      assertArrayEquals(Files.readAllBytes(fvecs), Files.readAllBytes(out));
    }
    float[][] back = Fvecs.read(fvecs);
    assertEquals(vectors.length, back.length);
    for (int i = 0; i < vectors.length; i++) {
      assertArrayEquals(vectors[i], back[i]);
    }
  }

  @Test
  void exportsStoresWhoseBlocksSplitAcrossManyReads() throws IOException {
    // 1 vector per internal block: dimension above the block size of 65536 floats
    float[][] vectors = random(3, 70_000, 2);
    Path vec = dir.resolve("wide.vec");
    VectorStore.create(vec, vectors);
    Path fvecs = dir.resolve("wide.fvecs");
    try (VectorStore store = VectorStore.open(vec)) {
      Fvecs.export(store, fvecs);
    }
    float[][] back = Fvecs.read(fvecs);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(vectors[i], back[i]);
    }
  }

  @Test
  void readHonoursTheLimit() throws IOException {
    Path fvecs = dir.resolve("q.fvecs");
    float[][] vectors = random(10, 4, 3);
    Fvecs.write(fvecs, vectors);
    float[][] first = Fvecs.read(fvecs, 3);
    assertEquals(3, first.length);
    assertArrayEquals(vectors[2], first[2]);
  }

  @Test
  void rejectsADimensionChangeMidFile() throws IOException {
    Path file = records(dir.resolve("ragged.fvecs"), 2, 0, 0, 2, 0, 0, 3, 0, 0, 0);
    DatasetFormatException e =
        assertThrows(
            DatasetFormatException.class, () -> Fvecs.importToVec(file, dir.resolve("x.vec")));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("record 2"), e.getMessage());
    assertTrue(e.getMessage().contains("expected dimension 2"), e.getMessage());
    assertTrue(e.getMessage().contains("found dimension 3"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("x.vec")));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
  }

  @Test
  void rejectsATruncatedRecord() throws IOException {
    Path file = records(dir.resolve("short.fvecs"), 3, 0, 0, 0, 3, 0);
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Fvecs.read(file));
    assertTrue(e.getMessage().contains("record 1"), e.getMessage());
    assertTrue(e.getMessage().contains("expected 12 bytes of 3 values"), e.getMessage());
    assertTrue(e.getMessage().contains("found 4 bytes left (truncated record)"), e.getMessage());
  }

  @Test
  void rejectsTrailingBytesThatCannotHoldADimension() throws IOException {
    Path file = dir.resolve("tail.fvecs");
    Fvecs.write(file, new float[][] {{1f}});
    Files.write(file, new byte[] {1, 2}, java.nio.file.StandardOpenOption.APPEND);
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Fvecs.read(file));
    assertTrue(e.getMessage().contains("record 1 at byte 8"), e.getMessage());
    assertTrue(e.getMessage().contains("only 2 trailing bytes"), e.getMessage());
  }

  @Test
  void checksAClaimedDimensionAgainstTheFileBeforeAllocating() throws IOException {
    Path file = records(dir.resolve("huge.fvecs"), 1_000_000, 0);
    DatasetFormatException e =
        assertThrows(
            DatasetFormatException.class, () -> Fvecs.importToVec(file, dir.resolve("h.vec")));
    assertTrue(e.getMessage().contains("expected 4000000 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("found 4 bytes left"), e.getMessage());
  }

  @Test
  void rejectsImpossibleDimensions() throws IOException {
    for (int bad : new int[] {0, -1, Integer.MAX_VALUE}) {
      Path file = records(dir.resolve("bad" + bad + ".fvecs"), bad, 0);
      DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Fvecs.read(file));
      assertTrue(e.getMessage().contains("record 0 dimension"), e.getMessage());
      assertTrue(e.getMessage().contains(Integer.toUnsignedString(bad)), e.getMessage());
    }
  }

  @Test
  void rejectsAnEmptyFile() throws IOException {
    Path file = Files.createFile(dir.resolve("empty.fvecs"));
    DatasetFormatException e =
        assertThrows(
            DatasetFormatException.class, () -> Fvecs.importToVec(file, dir.resolve("e.vec")));
    assertTrue(e.getMessage().contains("empty file"), e.getMessage());
  }

  @Test
  void rejectsNonFiniteValuesOnImport() throws IOException {
    Path file = records(dir.resolve("nan.fvecs"), 1, 0, 1, Float.floatToRawIntBits(Float.NaN));
    DatasetFormatException e =
        assertThrows(
            DatasetFormatException.class, () -> Fvecs.importToVec(file, dir.resolve("n.vec")));
    assertTrue(e.getMessage().contains("record 1"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("n.vec")));
  }

  @Test
  void writeRejectsRaggedOrEmptyInput() {
    Path file = dir.resolve("w.fvecs");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Fvecs.write(file, new float[][] {{1f, 2f}, {3f}}));
    assertTrue(e.getMessage().contains("row 1 has dimension 1, expected 2"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Fvecs.write(file, new float[0][]));
    assertFalse(Files.exists(file));
  }

  @Test
  void missingFileNamesThePath() {
    Path file = dir.resolve("missing.fvecs");
    IOException e = assertThrows(IOException.class, () -> Fvecs.read(file));
    assertTrue(e.getMessage().contains("missing.fvecs"), e.getMessage());
  }
}
