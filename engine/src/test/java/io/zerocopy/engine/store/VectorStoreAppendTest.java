package io.zerocopy.engine.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

  /** The state an append leaves when killed after its vectors and before its count. */
  private static void crashMidAppend(Path file, int garbageBytes) throws Exception {
    try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
      raw.seek(20);
      raw.writeInt(Integer.reverseBytes(VecHeader.APPENDING));
      raw.seek(raw.length());
      raw.write(new byte[garbageBytes]);
    }
  }

  @Test
  void uncommittedTailOfACrashedAppendIsIgnoredThenCut() throws Exception {
    Path file = dir.resolve("c.vec");
    float[][] first = {{1, 2, 3}, {4, 5, 6}};
    VectorStore.create(file, first);
    long committed = Files.size(file);
    crashMidAppend(file, 12 * 5 + 7);
    try (VectorStore store = VectorStore.open(file)) {
      assertEquals(2, store.size());
      assertArrayEquals(first[1], store.get(1));
    }
    assertEquals(3, VectorStore.append(file, new float[][] {{7, 8, 9}}));
    assertEquals(committed + 12, Files.size(file));
    ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(0, header.getInt(20), "the append-in-progress mark is cleared");
    try (VectorStore store = VectorStore.open(file)) {
      assertEquals(3, store.size());
      assertArrayEquals(new float[] {7, 8, 9}, store.get(2));
    }
  }

  @Test
  void opensRacingAppendsSeeACommittedCount() throws Exception {
    Path file = dir.resolve("r.vec");
    VectorStore.create(file, new float[][] {{0, 0}});
    int appends = 150;
    java.util.concurrent.atomic.AtomicLong committed =
        new java.util.concurrent.atomic.AtomicLong(1);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread appender =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < appends; i++) {
                  long count = committed.get();
                  float[][] batch = new float[1 + i % 7][];
                  for (int row = 0; row < batch.length; row++) {
                    batch[row] = new float[] {count + row, -(count + row)};
                  }
                  committed.set(VectorStore.append(file, batch));
                }
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    appender.start();
    int opens = 0;
    while (appender.isAlive()) {
      long before = committed.get();
      try (VectorStore store = VectorStore.open(file)) {
        long size = store.size();
        assertTrue(size >= before, size + " vectors, " + before + " were committed before");
        assertArrayEquals(new float[] {size - 1, -(size - 1)}, store.get(size - 1));
      }
      opens++;
    }
    appender.join();
    assertEquals(null, failure.get());
    assertTrue(opens > 0);
  }

  @Test
  void markedFileShorterThanItsCountIsStillRejected() throws Exception {
    Path file = dir.resolve("s.vec");
    VectorStore.create(file, new float[][] {{1, 2, 3}, {4, 5, 6}});
    crashMidAppend(file, 0);
    try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
      raw.setLength(raw.length() - 4);
    }
    VecFormatException e = assertThrows(VecFormatException.class, () -> VectorStore.open(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("truncated: 4 bytes missing"), e.getMessage());
  }

  @Test
  void fileTruncatedWhileMappedFailsWithItsName() throws Exception {
    Path file = dir.resolve("t.vec");
    int dimension = 64;
    float[][] vectors = new float[4096][dimension];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i][0] = i;
    }
    VectorStore.create(file, vectors);
    try (VectorStore store = VectorStore.open(file)) {
      assertEquals(4095f, store.get(4095)[0]);
      // another process cuts the file to 16 vectors; later pages of the mapping are gone
      try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
        raw.setLength(VecHeader.BYTES + 16L * dimension * 4);
      }
      assertEquals(3f, store.get(3)[0]);
      assertClearFault(file, () -> store.get(4000));
      assertClearFault(file, () -> store.readBlock(1000, 3000, new float[3000 * dimension], 0));
      assertEquals(15f, store.get(15)[0], "pages still in the file read as before");
    }
  }

  /**
   * Runs a read of a truncated page: it must raise an error and leave the JVM running. Where the
   * read is interpreted or compiled on its own, the store catches the JVM's InternalError and names
   * the file; once the JIT inlines it into its caller, or on JDK 17 (which raises the error
   * asynchronously, a little later: the loop gives it room), the bare InternalError arrives.
   */
  private static void assertClearFault(Path file, Runnable read) {
    Throwable error = null;
    try {
      read.run();
      for (int i = 0; i < 1000; i++) {
        Thread.sleep(1);
      }
    } catch (UncheckedIOException | InternalError e) {
      error = e;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    assertTrue(error != null, "reading a truncated mapping raised nothing");
    if (error instanceof UncheckedIOException) {
      assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
      assertTrue(error.getMessage().contains("truncated while mapped"), error.getMessage());
      assertTrue(error.getCause() instanceof VecFormatException);
    } else {
      assertTrue(error.getMessage().contains("unsafe memory access"), error.getMessage());
    }
  }
}
