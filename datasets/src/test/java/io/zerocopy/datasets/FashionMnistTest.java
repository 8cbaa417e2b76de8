package io.zerocopy.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.datasets.FashionMnist.Split;
import io.zerocopy.engine.store.VectorStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  @TempDir Path dir;

  static byte[] idx(int magic, int[] dims, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    b.put(data);
    return b.array();
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    }
    return out.toByteArray();
  }

  static byte[] pixels(int n) {
    byte[] data = new byte[n];
    for (int i = 0; i < n; i++) {
      data[i] = (byte) (i * 37);
    }
    return data;
  }

  @Test
  void convertsGzippedAndPlainImagesToPixelFloats() throws IOException {
    byte[] raw = idx(FashionMnist.IMAGES_MAGIC, new int[] {3, 2, 2}, pixels(12));
    Path gz = Files.write(dir.resolve("images.gz"), gzip(raw));
    Path plain = Files.write(dir.resolve("images"), raw);
    for (Path source : new Path[] {gz, plain}) {
      Path vec = dir.resolve(source.getFileName() + ".vec");
      assertEquals(3, FashionMnist.convertImages(source, vec));
      try (VectorStore store = VectorStore.open(vec)) {
        assertEquals(3, store.size());
        assertEquals(4, store.dimension());
        for (int i = 0; i < 3; i++) {
          float[] v = store.get(i);
          for (int j = 0; j < 4; j++) {
            assertEquals((pixels(12)[i * 4 + j] & 0xFF), v[j], 0f);
          }
        }
        // unsigned: byte 0xFF is pixel 255, not -1
        assertEquals(((byte) (7 * 37)) & 0xFF, store.get(1)[3], 0f);
      }
    }
  }

  @Test
  void readsLabels() throws IOException {
    byte[] raw = idx(FashionMnist.LABELS_MAGIC, new int[] {4}, new byte[] {9, 0, 3, 9});
    Path gz = Files.write(dir.resolve("labels.gz"), gzip(raw));
    assertArrayEquals(new byte[] {9, 0, 3, 9}, FashionMnist.readLabels(gz));
    assertArrayEquals(new int[] {9, 0, 3}, FashionMnist.toInts(new byte[] {9, 0, 3}));
    assertEquals("Ankle boot", FashionMnist.labelName(9));
    assertEquals("T-shirt/top", FashionMnist.labelName(0));
    assertThrows(IllegalArgumentException.class, () -> FashionMnist.labelName(10));
  }

  @Test
  void rejectsBadMagicNamingBothValues() throws IOException {
    byte[] raw = idx(FashionMnist.LABELS_MAGIC, new int[] {1}, new byte[] {1});
    Path labels = Files.write(dir.resolve("labels.gz"), gzip(raw));
    DatasetFormatException e =
        assertThrows(
            DatasetFormatException.class,
            () -> FashionMnist.convertImages(labels, dir.resolve("x.vec")));
    assertTrue(e.getMessage().startsWith(labels.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("IDX magic"), e.getMessage());
    assertTrue(e.getMessage().contains("expected 0x00000803"), e.getMessage());
    assertTrue(e.getMessage().contains("found 0x00000801"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("x.vec")));
  }

  @Test
  void checksHeaderCountsAgainstTheDataBeforeReading() throws IOException {
    // header claims 1,000,000 images of 28×28 but holds one
    byte[] raw = idx(FashionMnist.IMAGES_MAGIC, new int[] {1_000_000, 28, 28}, pixels(784));
    for (Path source :
        new Path[] {
          Files.write(dir.resolve("lying.gz"), gzip(raw)), Files.write(dir.resolve("lying"), raw)
        }) {
      DatasetFormatException e =
          assertThrows(
              DatasetFormatException.class,
              () -> FashionMnist.convertImages(source, dir.resolve("y.vec")));
      assertTrue(e.getMessage().contains("data size"), e.getMessage());
      assertTrue(e.getMessage().contains("expected 784000016 bytes"), e.getMessage());
      assertTrue(e.getMessage().contains("found 800 bytes (truncated)"), e.getMessage());
    }
    byte[] labels = idx(FashionMnist.LABELS_MAGIC, new int[] {2}, new byte[] {1, 2, 3});
    Path trailing = Files.write(dir.resolve("trailing"), labels);
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> FashionMnist.readLabels(trailing));
    assertTrue(e.getMessage().contains("trailing data"), e.getMessage());
  }

  @Test
  void rejectsAGzipStreamThatEndsEarly() throws IOException {
    byte[] full = gzip(idx(FashionMnist.IMAGES_MAGIC, new int[] {2, 2, 2}, pixels(8)));
    Path cut = Files.write(dir.resolve("cut.gz"), java.util.Arrays.copyOf(full, full.length - 9));
    IOException e =
        assertThrows(
            IOException.class, () -> FashionMnist.convertImages(cut, dir.resolve("c.vec")));
    assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
    assertFalse(Files.exists(dir.resolve("c.vec")));
  }

  @Test
  void rejectsTruncatedHeadersAndBadLabels() throws IOException {
    Path tiny = Files.write(dir.resolve("tiny"), new byte[] {0, 0, 8, 1, 0});
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> FashionMnist.readLabels(tiny));
    assertTrue(e.getMessage().contains("IDX header"), e.getMessage());
    Path bad =
        Files.write(
            dir.resolve("bad-labels"),
            idx(FashionMnist.LABELS_MAGIC, new int[] {2}, new byte[] {3, 12}));
    e = assertThrows(DatasetFormatException.class, () -> FashionMnist.readLabels(bad));
    assertTrue(e.getMessage().contains("label 1"), e.getMessage());
    assertTrue(e.getMessage().contains("found 12"), e.getMessage());
  }

  @Test
  void missingSourcesPointAtTheInstallScript() {
    FashionMnist data = FashionMnist.at(dir.resolve("nowhere"), dir.resolve("cache"));
    IOException e = assertThrows(IOException.class, () -> data.vectors(Split.TEST));
    assertTrue(e.getMessage().contains("scripts/install-data.sh"), e.getMessage());
  }

  @Test
  void cacheRootFollowsTheSetting() {
    String before = System.getProperty(DatasetCache.CACHE_DIR_VARIABLE);
    try {
      System.setProperty(DatasetCache.CACHE_DIR_VARIABLE, dir.toString());
      assertEquals(dir, DatasetCache.root());
      assertEquals(dir.resolve("fashion-mnist"), FashionMnist.standard().cacheDir());
    } finally {
      if (before == null) {
        System.clearProperty(DatasetCache.CACHE_DIR_VARIABLE);
      } else {
        System.setProperty(DatasetCache.CACHE_DIR_VARIABLE, before);
      }
    }
  }

  // ---- the real files of the Debian package dataset-fashion-mnist ----

  private static FashionMnist installed() {
    FashionMnist data = FashionMnist.standard();
    assertTrue(
        Files.isDirectory(data.sourceDir()),
        data.sourceDir() + " is missing: run scripts/install-data.sh");
    return data;
  }

  @Test
  void realLabelsHaveThePublishedCountsAndBalance() throws IOException {
    FashionMnist data = installed();
    for (Split split : Split.values()) {
      int[] labels = FashionMnist.toInts(data.labels(split));
      assertEquals(split.count(), labels.length, split.name());
      int[] perClass = new int[FashionMnist.CLASSES];
      for (int label : labels) {
        perClass[label]++;
      }
      int expected = split.count() / FashionMnist.CLASSES; // 6,000 train, 1,000 test
      for (int c = 0; c < FashionMnist.CLASSES; c++) {
        assertEquals(expected, perClass[c], split + " class " + c);
      }
    }
    assertEquals(9, data.labels(Split.TRAIN)[0], "the first training image is an ankle boot");
  }

  @Test
  void convertsTheRealTestSetOnceAndReusesIt() throws IOException {
    FashionMnist source = installed();
    FashionMnist data = FashionMnist.at(source.sourceDir(), dir.resolve("cache"));
    Path vec = data.vectors(Split.TEST);
    assertEquals(dir.resolve("cache").resolve("t10k-images.vec"), vec);
    try (VectorStore store = VectorStore.open(vec)) {
      assertEquals(10_000, store.size());
      assertEquals(784, store.dimension());
      float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
      for (long i = 0; i < store.size(); i += 97) {
        for (float x : store.get(i)) {
          assertEquals(Math.rint(x), x, 0f, "pixels are whole numbers");
          min = Math.min(min, x);
          max = Math.max(max, x);
        }
      }
      assertEquals(0f, min);
      assertEquals(255f, max);
    }
    FileTime written = Files.getLastModifiedTime(vec);
    Files.setLastModifiedTime(vec, FileTime.fromMillis(written.toMillis() - 60_000));
    FileTime aged = Files.getLastModifiedTime(vec);
    assertEquals(vec, data.vectors(Split.TEST));
    assertEquals(aged, Files.getLastModifiedTime(vec), "the cached file was reused, not rewritten");
  }

  @Test
  void theRealTrainingSetConvertsToSixtyThousandVectors() throws IOException {
    // the shared cache (ZCS_CACHE_DIR or ~/.cache/zero-copy-search), as examples and bench use it
    Path vec = installed().vectors(Split.TRAIN);
    try (VectorStore store = VectorStore.open(vec)) {
      assertEquals(60_000, store.size());
      assertEquals(784, store.dimension());
    }
  }
}
