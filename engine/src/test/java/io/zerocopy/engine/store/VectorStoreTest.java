package io.zerocopy.engine.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.search.Neighbor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorStoreTest {

  @TempDir Path dir;

  static float value(long row, int column) {
    return (float) ((row * 31 + column * 7) % 1000) / 8f - 50f;
  }

  static float[][] vectors(int count, int dimension) {
    float[][] vectors = new float[count][dimension];
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < dimension; j++) {
        vectors[i][j] = value(i, j);
      }
    }
    return vectors;
  }

  @Test
  void createThenOpenReturnsEveryVector() throws IOException {
    Path file = dir.resolve("v.vec");
    float[][] expected = vectors(1000, 13);
    VectorStore.create(file, expected);
    assertEquals(32 + 1000 * 13 * 4, Files.size(file));
    try (VectorStore store = VectorStore.open(file)) {
      assertEquals(1000, store.size());
      assertEquals(13, store.dimension());
      for (int i = 0; i < expected.length; i++) {
        assertArrayEquals(expected[i], store.get(i));
      }
      // touch loads the first float of each vector given (the sum of their bits is returned)
      int[] ids = {999, 0, 500, 500};
      int firstBits = 0;
      for (int id : ids) {
        firstBits += Float.floatToRawIntBits(expected[id][0]);
      }
      assertEquals(firstBits, store.touch(ids, ids.length));
      IndexOutOfBoundsException bad =
          assertThrows(IndexOutOfBoundsException.class, () -> store.touch(new int[] {3, 1000}, 2));
      assertTrue(bad.getMessage().contains(file + ": vector id 1000"), bad.getMessage());
      float[] block = new float[5 * 13 + 2];
      store.readBlock(995, 5, block, 2);
      for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 13; j++) {
          assertEquals(expected[995 + i][j], block[2 + i * 13 + j]);
        }
      }
    }
  }

  @Test
  void headerIsTheSeedFormat() throws IOException {
    Path file = dir.resolve("h.vec");
    VectorStore.create(file, vectors(3, 2));
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    assertArrayEquals(
        new byte[] {0x54, 0x43, 0x45, 0x56}, java.util.Arrays.copyOf(bytes.array(), 4));
    assertEquals(0x56454354, bytes.getInt(0));
    assertEquals(1, bytes.getInt(4));
    assertEquals(3L, bytes.getLong(8));
    assertEquals(2, bytes.getInt(16));
    assertEquals(0, bytes.getInt(20));
    assertEquals(0L, bytes.getLong(24));
    assertEquals(value(1, 1), bytes.getFloat(32 + 3 * 4));
  }

  @Test
  void writerStreamsBatchesAndPublishesOnlyOnCommit() throws IOException {
    Path file = dir.resolve("stream.vec");
    int dimension = 300; // several 1 MiB buffer flushes
    try (VectorStoreWriter writer = VectorStoreWriter.create(file, dimension)) {
      for (int batch = 0; batch < 10; batch++) {
        float[][] rows = new float[150][dimension];
        for (int i = 0; i < rows.length; i++) {
          for (int j = 0; j < dimension; j++) {
            rows[i][j] = value(batch * 150 + i, j);
          }
        }
        writer.append(rows);
        assertFalse(Files.exists(file), "nothing visible before commit");
      }
      float[] flat = new float[2 * dimension];
      for (int j = 0; j < dimension; j++) {
        flat[j] = value(1500, j);
        flat[dimension + j] = value(1501, j);
      }
      writer.append(flat, 0, 2);
      assertEquals(1502, writer.count());
      writer.commit();
    }
    try (VectorStore store = VectorStore.open(file)) {
      assertEquals(1502, store.size());
      for (long i = 0; i < store.size(); i += 97) {
        float[] v = store.get(i);
        assertEquals(value(i, dimension - 1), v[dimension - 1]);
      }
    }
    assertEquals(List.of(file), listDir());
  }

  @Test
  void closingWithoutCommitLeavesNothing() throws IOException {
    Path file = dir.resolve("abandoned.vec");
    try (VectorStoreWriter writer = VectorStoreWriter.create(file, 4)) {
      writer.append(new float[] {1, 2, 3, 4});
    }
    assertEquals(List.of(), listDir());
  }

  @Test
  void failedWriteKeepsThePreviousFile() throws IOException {
    Path file = dir.resolve("keep.vec");
    VectorStore.create(file, vectors(10, 4));
    byte[] before = Files.readAllBytes(file);
    assertThrows(
        IllegalArgumentException.class,
        () -> VectorStore.create(file, new float[][] {{1, 2, 3, 4}, {1, 2, 3}}));
    assertArrayEquals(before, Files.readAllBytes(file));
    assertEquals(List.of(file), listDir());
  }

  @Test
  void badVectorsAreNamed() throws IOException {
    Path file = dir.resolve("bad.vec");
    try (VectorStoreWriter writer = VectorStoreWriter.create(file, 3)) {
      writer.append(new float[] {1, 2, 3});
      IllegalArgumentException wrongDim =
          assertThrows(IllegalArgumentException.class, () -> writer.append(new float[] {1, 2}));
      assertTrue(
          wrongDim.getMessage().contains("vector 1 has dimension 2, expected 3"),
          wrongDim.getMessage());
      IllegalArgumentException nan =
          assertThrows(
              IllegalArgumentException.class,
              () -> writer.append(new float[][] {{1, 2, 3}, {0, Float.NaN, 0}}));
      assertTrue(
          nan.getMessage().contains("vector 2") && nan.getMessage().contains("index 1"),
          nan.getMessage());
      assertEquals(1, writer.count(), "a rejected batch writes nothing");
      assertThrows(IllegalArgumentException.class, () -> VectorStoreWriter.create(file, 0));
    }
    assertThrows(IllegalArgumentException.class, () -> VectorStore.create(file, new float[0][]));
  }

  @Test
  void rejectsBadHeadersNamingFileAndField() throws IOException {
    assertRejected(header(0x12345678, 1, 2, 4), 2 * 4 * 4, "magic", "0x56454354");
    assertRejected(header(0x56454354, 2, 2, 4), 2 * 4 * 4, "version", "found 2");
    assertRejected(header(0x56454354, 1, 2, 0), 0, "dimension", "found 0");
    assertRejected(header(0x56454354, 1, 3, 4), 2 * 4 * 4, "file size", "truncated");
    assertRejected(header(0x56454354, 1, 2, 4), 2 * 4 * 4 + 3, "file size", "trailing");
    assertRejected(header(0x56454354, 1, -1L, 4), 0, "num_vectors", "18446744073709551615");
    assertRejected(header(0x56454354, 1, Long.MAX_VALUE / 2, 4), 0, "num_vectors", "");
    Path tiny = dir.resolve("tiny.vec");
    Files.write(tiny, new byte[10]);
    VecFormatException e = assertThrows(VecFormatException.class, () -> VectorStore.open(tiny));
    assertTrue(e.getMessage().startsWith(tiny.toString()), e.getMessage());
    assertThrows(NoSuchFileException.class, () -> VectorStore.open(dir.resolve("missing.vec")));
  }

  @Test
  void acceptsMagicWrittenInTextOrder() throws IOException {
    Path file = dir.resolve("text.vec");
    ByteBuffer header = header(0x54434556, 1, 1, 2); // bytes 56 45 43 54 = "VECT"
    ByteBuffer data = ByteBuffer.allocate(32 + 8).order(ByteOrder.LITTLE_ENDIAN);
    data.put(header).putFloat(1.5f).putFloat(-2f);
    Files.write(file, data.array());
    assertEquals(
        "VECT",
        new String(Files.readAllBytes(file), 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    try (VectorStore store = VectorStore.open(file)) {
      assertArrayEquals(new float[] {1.5f, -2f}, store.get(0));
    }
  }

  @Test
  void outOfRangeAndClosedAccessFailClearly() throws IOException {
    Path file = dir.resolve("r.vec");
    VectorStore.create(file, vectors(4, 2));
    VectorStore store = VectorStore.open(file);
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> store.get(4));
    assertTrue(e.getMessage().contains("id 4") && e.getMessage().contains(file.toString()));
    assertThrows(IndexOutOfBoundsException.class, () -> store.get(-1));
    assertThrows(IndexOutOfBoundsException.class, () -> store.readBlock(3, 2, new float[4], 0));
    store.close();
    assertThrows(IllegalStateException.class, () -> store.get(0));
  }

  @Test
  void concurrentReadersSeeTheSameData() throws Exception {
    Path file = dir.resolve("c.vec");
    int count = 20_000;
    int dimension = 24;
    VectorStore.create(file, vectors(count, dimension));
    try (VectorStore store = VectorStore.open(file)) {
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<Integer>> futures = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        long seed = t;
        futures.add(
            pool.submit(
                () -> {
                  SplittableRandom random = new SplittableRandom(seed);
                  float[] buffer = new float[dimension];
                  int checked = 0;
                  for (int n = 0; n < 20_000; n++) {
                    long id = random.nextInt(count);
                    store.read(id, buffer, 0);
                    for (int j = 0; j < dimension; j++) {
                      if (buffer[j] != value(id, j)) {
                        throw new AssertionError("vector " + id + " column " + j);
                      }
                    }
                    checked++;
                  }
                  return checked;
                }));
      }
      for (Future<Integer> future : futures) {
        assertEquals(20_000, future.get());
      }
      pool.shutdown();
    }
  }

  @Test
  void filesOver2GiBWork() throws IOException {
    // a sparse file: 600,000 × 1,024 floats = 2.29 GiB, real vectors only near the end and
    // across the first chunk boundary; the zero pages cost no disk
    Path file = dir.resolve("big.vec");
    long count = 600_000;
    int dimension = 1024;
    long[] ids = {262_143, 262_144, 524_288, count - 2, count - 1};
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer header = header(0x56454354, 1, count, dimension);
      VectorStoreWriter.writeFully(channel, header, 0);
      for (long id : ids) {
        ByteBuffer vector = ByteBuffer.allocate(dimension * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int j = 0; j < dimension; j++) {
          vector.putFloat(value(id, j));
        }
        vector.flip();
        VectorStoreWriter.writeFully(channel, vector, 32 + id * dimension * 4L);
      }
      channel.truncate(32 + count * dimension * 4L); // no-op if already that long
      if (channel.size() < 32 + count * dimension * 4L) {
        VectorStoreWriter.writeFully(
            channel, ByteBuffer.allocate(1), 32 + count * dimension * 4L - 1);
      }
    }
    assertTrue(Files.size(file) > (2L << 30));
    try (VectorStore store = VectorStore.open(file)) {
      assertEquals(count, store.size());
      for (long id : ids) {
        float[] v = store.get(id);
        assertEquals(value(id, 0), v[0]);
        assertEquals(value(id, dimension - 1), v[dimension - 1]);
      }
      int[] touched = {262_143, 262_144, 524_288, (int) count - 1}; // in three chunks
      int firstBits = 0;
      for (int id : touched) {
        firstBits += Float.floatToRawIntBits(value(id, 0));
      }
      assertEquals(firstBits, store.touch(touched, touched.length));
      assertEquals(3, store.mappingCount());
      assertEquals(2, store.mappingIndexOf(count - 1));
      IndexOutOfBoundsException bad =
          assertThrows(IndexOutOfBoundsException.class, () -> store.mapping(3));
      assertTrue(bad.getMessage().contains(file.toString()), bad.getMessage());
      float[] block = new float[2 * dimension];
      store.readBlock(262_143, 2, block, 0); // spans two mapped chunks
      assertEquals(value(262_143, 5), block[5]);
      assertEquals(value(262_144, 5), block[dimension + 5]);
      assertArrayEquals(new float[dimension], store.get(300_000));
      // an exact search scores in place, through one view per mapped chunk: each query finds
      // itself at distance 0 in the second and third chunks (a view of another chunk would not)
      for (long id : new long[] {262_144, count - 1}) {
        for (Metric metric : new Metric[] {Metric.L2, Metric.COSINE}) {
          List<Neighbor> found = BruteForce.search(store, store.get(id), 1, metric, 2);
          assertEquals(id, found.get(0).id(), metric + ", query " + id);
          assertEquals(0f, found.get(0).distance(), 1e-6f, metric + ", query " + id);
        }
      }
    }
  }

  private void assertRejected(ByteBuffer header, int dataBytes, String field, String found)
      throws IOException {
    Path file = Files.createTempFile(dir, "bad", ".vec");
    ByteBuffer bytes = ByteBuffer.allocate(32 + dataBytes);
    bytes.put(header);
    Files.write(file, bytes.array());
    VecFormatException e = assertThrows(VecFormatException.class, () -> VectorStore.open(file));
    assertEquals(field, e.field());
    assertEquals(file, e.file());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(field), e.getMessage());
    assertTrue(e.getMessage().contains(found), e.getMessage());
    Files.delete(file);
  }

  static ByteBuffer header(int magic, int version, long count, int dimension) {
    ByteBuffer header = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(magic).putInt(version).putLong(count).putInt(dimension).putInt(0).putLong(0);
    header.flip();
    return header;
  }

  private List<Path> listDir() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }
}
