package io.zerocopy.engine.codes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.MappedKernel;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

public class Int8CodesTest {

  @TempDir Path dir;

  /** Gaussian clusters: structure like real embeddings, not uniform noise. */
  static float[][] clustered(int n, int d, int clusters, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] centres = new float[clusters][d];
    for (float[] c : centres) {
      for (int i = 0; i < d; i++) {
        c[i] = (float) (random.nextGaussian() * 3);
      }
    }
    float[][] data = new float[n][d];
    for (float[] v : data) {
      float[] c = centres[random.nextInt(clusters)];
      for (int i = 0; i < d; i++) {
        v[i] = c[i] + (float) random.nextGaussian();
      }
    }
    return data;
  }

  private Path store(float[][] data) throws IOException {
    Path file = dir.resolve("data.vec");
    VectorStore.create(file, data);
    return file;
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void decodedValuesAreWithinHalfAStepOfTheClippedOriginal(Metric metric) throws IOException {
    float[][] data = clustered(3000, 67, 12, 1);
    data[17][5] = 1e6f; // one outlier must not stretch dimension 5's scale
    Path codesFile = dir.resolve("data.i8");
    try (VectorStore store = VectorStore.open(store(data))) {
      Int8Codes.write(codesFile, store, metric);
      try (Int8Codes codes = Int8Codes.open(codesFile, store)) {
        assertEquals(metric == Metric.COSINE, codes.unitVectors());
        assertEquals(3000, codes.size());
        byte[] row = new byte[67];
        float[][] ranges = Int8Training.train(store, codes.unitVectors());
        assertTrue(ranges[1][5] < 0.2f, "step of the outlier's dimension: " + ranges[1][5]);
        for (int v = 0; v < data.length; v++) {
          codes.read(v, row, 0);
          float[] x = expected(data[v], metric);
          for (int i = 0; i < 67; i++) {
            float step = ranges[1][i];
            float low = ranges[0][i] - 128 * step;
            float high = low + 255 * step;
            float clipped = Math.max(low, Math.min(high, x[i]));
            float decoded = codes.decode(i, row[i]);
            assertTrue(
                Math.abs(decoded - clipped) <= step * 0.5001f + 1e-6f,
                "vector " + v + " dimension " + i + ": " + x[i] + " decoded " + decoded);
          }
        }
      }
    }
    assertEquals(
        Int8Codes.codesOffset(67) + 3000L * (67 + 2),
        Files.size(codesFile),
        "a quarter of the .vec, plus the header, ranges and a 2-byte error bound per vector");
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void scoresAreTheMetricOfTheDecodedVectors(Metric metric) throws IOException {
    float[][] data = clustered(500, 131, 5, 2);
    Path codesFile = dir.resolve("data.i8");
    try (VectorStore store = VectorStore.open(store(data))) {
      Int8Codes.write(codesFile, store, metric);
      try (Int8Codes codes = Int8Codes.open(codesFile, store)) {
        float[] query = clustered(1, 131, 1, 3)[0];
        byte[] row = new byte[131];
        // touch loads each row's first byte (the sum of those is what it returns)
        int[] ids = {0, 499, 250, 250};
        int firstBytes = 0;
        for (int id : ids) {
          codes.read(id, row, 0);
          firstBytes += row[0];
        }
        assertEquals(firstBytes, codes.touch(ids, ids.length));
        assertEquals(0, codes.touch(ids, 0));
        IndexOutOfBoundsException bad =
            assertThrows(IndexOutOfBoundsException.class, () -> codes.touch(new int[] {-1}, 1));
        assertTrue(bad.getMessage().contains(codesFile + ": vector id -1"), bad.getMessage());
        for (VectorKernel kernel :
            new VectorKernel[] {VectorKernel.selected(), VectorKernel.scalar()}) {
          float[] prepared = codes.prepare(query, metric);
          for (int v = 0; v < data.length; v++) {
            codes.read(v, row, 0);
            double reference = referenceScore(codes, row, query, metric);
            float score = codes.score(metric, prepared, row, 0, kernel);
            assertEquals(
                reference,
                score,
                1e-4 * Math.max(1, Math.abs(reference)),
                kernel.name() + " " + metric + " vector " + v);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void scoresInPlaceEqualScoresOfCopiesBitForBit(Metric metric) throws IOException {
    MappedKernel inPlace = MappedKernel.matching(VectorKernel.selected());
    float[][] data = clustered(300, 77, 4, 5);
    Path codesFile = dir.resolve("data.i8");
    try (VectorStore store = VectorStore.open(store(data))) {
      Int8Codes.write(codesFile, store, metric);
      try (Int8Codes codes = Int8Codes.open(codesFile, store)) {
        if (inPlace == null || !inPlace.readsInt8Codes()) {
          assertFalse(
              inPlace != null
                  && codes.scoreInPlace(
                      metric, new float[78], new int[1], 1, new float[1], inPlace),
              "scores nothing where codes are copied");
          return;
        }
        float[] prepared = codes.prepare(clustered(1, 77, 1, 6)[0], metric);
        SplittableRandom random = new SplittableRandom(7);
        for (int count = 0; count <= 13; count++) {
          int[] ids = new int[count];
          byte[] block = new byte[count * 77];
          for (int i = 0; i < count; i++) {
            ids[i] = random.nextInt(data.length);
            codes.read(ids[i], block, i * 77);
          }
          float[] copied = new float[count];
          codes.scoreAll(metric, prepared, block, count, copied, VectorKernel.selected());
          float[] scores = new float[count];
          assertTrue(codes.scoreInPlace(metric, prepared, ids, count, scores, inPlace));
          assertArrayEquals(copied, scores, metric + ", " + count + " rows");
        }
        IndexOutOfBoundsException bad =
            assertThrows(
                IndexOutOfBoundsException.class,
                () ->
                    codes.scoreInPlace(
                        metric, prepared, new int[] {300}, 1, new float[1], inPlace));
        assertTrue(bad.getMessage().contains(codesFile + ": vector id 300"), bad.getMessage());
      }
      Int8Codes closed = Int8Codes.open(codesFile, store);
      closed.close();
      assertThrows(
          IllegalStateException.class,
          () -> closed.scoreInPlace(metric, new float[78], new int[1], 1, new float[1], inPlace));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Metric.class,
      names = {"L2", "COSINE"})
  void errorBoundsBoundEachVectorsDistanceToItsDecodedCodes(Metric metric) throws IOException {
    float[][] data = clustered(2_000, 37, 4, 11);
    SplittableRandom random = new SplittableRandom(12);
    for (int v = 0; v < 40; v++) {
      data[random.nextInt(data.length)][random.nextInt(37)] *= 50; // clipped outliers
    }
    for (int v = 0; v < 300; v++) {
      for (int i = 0; i < 37; i++) {
        data[v][i] += 1e4f; // far from the origin: the codes' offsets dominate their floats
      }
    }
    Path codesFile = dir.resolve("bounds.i8");
    try (VectorStore store = VectorStore.open(store(data))) {
      Int8Codes.write(codesFile, store, metric);
      try (Int8Codes codes = Int8Codes.open(codesFile, store)) {
        byte[] row = new byte[37];
        for (int v = 0; v < data.length; v++) {
          float[] x = data[v].clone();
          if (metric == Metric.COSINE) {
            CodeRows.scaleToUnit(x);
          }
          codes.read(v, row, 0);
          double squared = 0;
          for (int i = 0; i < 37; i++) {
            double error = (double) x[i] - codes.decode(i, row[i]);
            squared += error * error;
          }
          double error = Math.sqrt(squared);
          float bound = codes.errorBound(v);
          assertTrue(error <= bound, "vector " + v + ": error " + error + " > bound " + bound);
          // stored as the high half of a float: within 1/128 above the error
          assertTrue(
              bound <= error * (1 + 1.0 / 128) + Float.MIN_NORMAL,
              "vector " + v + ": bound " + bound + " loose for error " + error);
        }
      }
    }
  }

  @Test
  void version1FilesStillOpenWithoutBounds() throws IOException {
    Path codesFile = dir.resolve("v1.i8");
    float[][] data = clustered(100, 8, 2, 5);
    try (VectorStore store = VectorStore.open(store(data))) {
      Int8Codes.write(codesFile, store, Metric.L2);
      byte[] v2 = Files.readAllBytes(codesFile);
      Files.write(codesFile, toVersion1(v2, 100));
      try (Int8Codes v1 = Int8Codes.open(codesFile, store)) {
        byte[] row = new byte[8];
        v1.read(99, row, 0);
        assertEquals(
            java.util.Arrays.toString(
                java.util.Arrays.copyOfRange(v2, v2.length - 200 - 8, v2.length - 200)),
            java.util.Arrays.toString(row));
        assertEquals(Float.POSITIVE_INFINITY, v1.errorBound(0));
      }
    }
  }

  /** A version 2 file of {@code count} vectors rewritten as version 1: without its bounds. */
  public static byte[] toVersion1(byte[] v2, long count) {
    byte[] v1 = java.util.Arrays.copyOf(v2, (int) (v2.length - 2 * count));
    java.nio.ByteBuffer header =
        java.nio.ByteBuffer.wrap(v1).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    header.putInt(4, 1).putLong(40, v1.length).putInt(56, 0);
    header.putInt(60, CodeRows.crc(java.nio.ByteBuffer.wrap(v1, 0, 60)));
    return v1;
  }

  @Test
  void negativeOrNanBoundsAreRejected() throws IOException {
    Path codesFile = dir.resolve("bad-bounds.i8");
    try (VectorStore store = VectorStore.open(store(clustered(50, 8, 2, 3)))) {
      Int8Codes.write(codesFile, store, Metric.L2);
    }
    byte[] good = Files.readAllBytes(codesFile);
    for (short bits : new short[] {(short) 0xBF80, (short) 0x7FC0}) { // -1.0, NaN
      byte[] bad = good.clone();
      java.nio.ByteBuffer buffer =
          java.nio.ByteBuffer.wrap(bad).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      int at = bad.length - 2 * 50 + 2 * 17;
      buffer.putShort(at, bits);
      buffer.putInt(56, CodeRows.crc(java.nio.ByteBuffer.wrap(bad, bad.length - 100, 100)));
      buffer.putInt(60, CodeRows.crc(java.nio.ByteBuffer.wrap(bad, 0, 60)));
      assertRejected(codesFile, bad, "error bound of vector 17");
    }
  }

  @Test
  void aQueryOfAnotherMetricOrDimensionIsRefusedByName() throws IOException {
    Path codesFile = dir.resolve("data.i8");
    try (VectorStore store = VectorStore.open(store(clustered(50, 8, 2, 4)))) {
      Int8Codes.write(codesFile, store, Metric.COSINE);
      try (Int8Codes codes = Int8Codes.open(codesFile, store)) {
        IllegalArgumentException e =
            assertThrows(
                IllegalArgumentException.class, () -> codes.prepare(new float[8], Metric.L2));
        assertTrue(e.getMessage().contains("unit-length"), e.getMessage());
        e =
            assertThrows(
                IllegalArgumentException.class, () -> codes.prepare(new float[9], Metric.COSINE));
        assertTrue(e.getMessage().contains("dimension 9"), e.getMessage());
      }
    }
  }

  @Test
  void malformedFilesAreRejectedNamingTheFileAndField() throws IOException {
    Path codesFile = dir.resolve("data.i8");
    try (VectorStore store = VectorStore.open(store(clustered(200, 16, 3, 5)))) {
      Int8Codes.write(codesFile, store, Metric.L2);
    }
    byte[] good = Files.readAllBytes(codesFile);
    assertRejected(codesFile, truncate(good, good.length - 1), "file size");
    assertRejected(codesFile, truncate(good, 10), "file size");
    assertRejected(codesFile, flip(good, good.length - 3), "bounds checksum");
    assertRejected(codesFile, flip(good, good.length - 200 * 2 - 3), "codes checksum");
    assertRejected(codesFile, flip(good, Int8Codes.HEADER_BYTES + 4), "params checksum");
    assertRejected(codesFile, flip(good, 0), "magic");
    assertRejected(codesFile, flip(good, 9), "header checksum");
    Path other = dir.resolve("other.vec");
    VectorStore.create(other, clustered(201, 16, 3, 6));
    Files.write(codesFile, good);
    try (VectorStore store = VectorStore.open(other)) {
      CodesFormatException e =
          assertThrows(CodesFormatException.class, () -> Int8Codes.open(codesFile, store));
      assertTrue(e.getMessage().startsWith(codesFile.toString()), e.getMessage());
      assertTrue(e.getMessage().contains(other.toString()), e.getMessage());
    }
  }

  @Test
  void anEmptyStoreGivesAnEmptyCodesFile() throws IOException {
    Path vec = dir.resolve("empty.vec");
    try (var writer = io.zerocopy.engine.store.VectorStoreWriter.create(vec, 5)) {
      writer.commit();
    }
    Path codesFile = dir.resolve("empty.i8");
    try (VectorStore store = VectorStore.open(vec)) {
      Int8Codes.write(codesFile, store, Metric.DOT);
      try (Int8Codes codes = Int8Codes.open(codesFile, store)) {
        assertEquals(0, codes.size());
      }
    }
  }

  private static void assertRejected(Path file, byte[] bytes, String field) throws IOException {
    assertRejected(file, bytes, field, () -> Int8Codes.open(file).close());
  }

  /** Writes {@code bytes} to {@code file}; {@code open} must fail naming the file and field. */
  static void assertRejected(
      Path file, byte[] bytes, String field, org.junit.jupiter.api.function.Executable open)
      throws IOException {
    Files.write(file, bytes);
    IOException e = assertThrows(IOException.class, open);
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(field), field + " in: " + e.getMessage());
  }

  static byte[] truncate(byte[] bytes, int length) {
    return java.util.Arrays.copyOf(bytes, length);
  }

  static byte[] flip(byte[] bytes, int at) {
    byte[] copy = bytes.clone();
    copy[at] ^= 0x20;
    return copy;
  }

  /** {@code v} as codes of {@code metric} encode it: scaled to unit length for cosine. */
  static float[] expected(float[] v, Metric metric) {
    if (metric != Metric.COSINE) {
      return v;
    }
    double squared = 0;
    for (float x : v) {
      squared += (double) x * x;
    }
    float[] unit = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      unit[i] = (float) (v[i] / Math.sqrt(squared));
    }
    return unit;
  }

  private static double referenceScore(Int8Codes codes, byte[] row, float[] query, Metric metric) {
    double[] q = new double[query.length];
    double squared = 0;
    for (float x : query) {
      squared += (double) x * x;
    }
    for (int i = 0; i < q.length; i++) {
      q[i] = metric == Metric.COSINE ? query[i] / Math.sqrt(squared) : query[i];
    }
    double sum = 0;
    for (int i = 0; i < q.length; i++) {
      double x = codes.decode(i, row[i]);
      sum += metric == Metric.L2 ? (q[i] - x) * (q[i] - x) : q[i] * x;
    }
    return switch (metric) {
      case L2 -> sum;
      case DOT -> -sum;
      case COSINE -> 1 - sum;
    };
  }
}
