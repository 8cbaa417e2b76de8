package io.zerocopy.engine.codes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PqCodesTest {

  @TempDir Path dir;

  private Path store(float[][] data) throws IOException {
    Path file = dir.resolve("data.vec");
    VectorStore.create(file, data);
    return file;
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void eachCodeIsTheNearestCentroidOfItsSubspace(Metric metric) throws IOException {
    // 30 dimensions: 8 sub-spaces of 3 or 4 dimensions, uneven on purpose
    float[][] data = Int8CodesTest.clustered(3000, 30, 12, 1);
    Path codesFile = dir.resolve("data.pq");
    try (VectorStore store = VectorStore.open(store(data))) {
      PqCodes.write(codesFile, store, metric);
      try (PqCodes codes = PqCodes.open(codesFile, store)) {
        assertEquals(metric == Metric.COSINE, codes.unitVectors());
        assertEquals(8, codes.subspaces());
        assertEquals(3000, codes.size());
        int[] starts = PqCodes.starts(30, 8);
        float[] centroids = codes.centroids();
        byte[] row = new byte[8];
        float[] decoded = new float[30];
        double error = 0;
        double energy = 0;
        for (int v = 0; v < data.length; v++) {
          codes.read(v, row, 0);
          codes.decode(row, 0, decoded);
          float[] x = Int8CodesTest.expected(data[v], metric);
          for (int s = 0; s < 8; s++) {
            int width = starts[s + 1] - starts[s];
            double chosen = 0;
            for (int j = starts[s]; j < starts[s + 1]; j++) {
              chosen += (x[j] - decoded[j]) * (x[j] - decoded[j]);
            }
            for (int c = 0; c < PqCodes.CENTROIDS; c++) {
              double other = 0;
              for (int j = 0; j < width; j++) {
                double diff =
                    x[starts[s] + j] - centroids[PqCodes.CENTROIDS * starts[s] + c * width + j];
                other += diff * diff;
              }
              assertTrue(
                  chosen <= other + 1e-4 * (1 + other),
                  "vector " + v + " sub-space " + s + ": centroid " + c + " is nearer");
            }
            error += chosen;
          }
          for (float value : x) {
            energy += (double) value * value;
          }
        }
        // trained, not arbitrary: the codes keep most of the vectors' energy
        assertTrue(error < 0.1 * energy, "relative squared error " + error / energy);
      }
    }
    assertEquals(
        PqCodes.codesOffset(30) + 3000L * 8,
        Files.size(codesFile),
        "the header, 256 centroids per dimension, then a byte per sub-space");
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void scoresAreTheMetricOfTheDecodedVectors(Metric metric) throws IOException {
    float[][] data = Int8CodesTest.clustered(700, 37, 5, 2);
    Path codesFile = dir.resolve("data.pq");
    try (VectorStore store = VectorStore.open(store(data))) {
      PqCodes.write(codesFile, store, metric);
      try (PqCodes codes = PqCodes.open(codesFile, store)) {
        float[] query = Int8CodesTest.clustered(1, 37, 1, 3)[0];
        float[] prepared = codes.prepare(query, metric, new float[codes.preparedLength()]);
        byte[] all = new byte[data.length * codes.subspaces()];
        float[] decoded = new float[37];
        for (int v = 0; v < data.length; v++) {
          codes.read(v, all, v * codes.subspaces());
        }
        float[] scores = new float[data.length];
        codes.scoreAll(metric, prepared, all, data.length, scores, VectorKernel.selected());
        float[] q = Int8CodesTest.expected(query, metric);
        for (int v = 0; v < data.length; v++) {
          codes.decode(all, v * codes.subspaces(), decoded);
          double sum = 0;
          for (int i = 0; i < 37; i++) {
            sum +=
                metric == Metric.L2
                    ? ((double) q[i] - decoded[i]) * (q[i] - decoded[i])
                    : (double) q[i] * decoded[i];
          }
          double reference =
              switch (metric) {
                case L2 -> sum;
                case DOT -> -sum;
                case COSINE -> 1 - sum;
              };
          float score =
              codes.score(metric, prepared, all, v * codes.subspaces(), VectorKernel.selected());
          assertEquals(reference, score, 1e-4 * Math.max(1, Math.abs(reference)), "vector " + v);
          assertEquals(score, scores[v], 0f, "scoreAll == score, vector " + v);
        }
      }
    }
  }

  @Test
  void fewerVectorsThanCentroidsStillCodeExactly() throws IOException {
    float[][] data = Int8CodesTest.clustered(40, 8, 3, 4);
    Path codesFile = dir.resolve("small.pq");
    try (VectorStore store = VectorStore.open(store(data))) {
      PqCodes.write(codesFile, store, Metric.L2);
      try (PqCodes codes = PqCodes.open(codesFile, store)) {
        byte[] row = new byte[codes.subspaces()];
        float[] decoded = new float[8];
        for (int v = 0; v < data.length; v++) {
          codes.read(v, row, 0);
          codes.decode(row, 0, decoded);
          for (int i = 0; i < 8; i++) {
            // 40 points, 40 centres per sub-space: every point is a centre
            assertEquals(data[v][i], decoded[i], 1e-5f, "vector " + v + " dimension " + i);
          }
        }
      }
    }
  }

  @Test
  void malformedFilesAreRejectedNamingTheFileAndField() throws IOException {
    Path codesFile = dir.resolve("data.pq");
    try (VectorStore store = VectorStore.open(store(Int8CodesTest.clustered(300, 16, 3, 5)))) {
      PqCodes.write(codesFile, store, Metric.L2);
    }
    byte[] good = Files.readAllBytes(codesFile);
    assertRejected(codesFile, Int8CodesTest.truncate(good, good.length - 1), "file size");
    assertRejected(codesFile, Int8CodesTest.truncate(good, 10), "file size");
    assertRejected(codesFile, Int8CodesTest.flip(good, good.length - 3), "codes checksum");
    assertRejected(
        codesFile, Int8CodesTest.flip(good, PqCodes.HEADER_BYTES + 4), "centroids checksum");
    assertRejected(codesFile, Int8CodesTest.flip(good, 0), "magic");
    assertRejected(codesFile, Int8CodesTest.flip(good, 9), "header checksum");
    Path other = dir.resolve("other.vec");
    VectorStore.create(other, Int8CodesTest.clustered(301, 16, 3, 6));
    Files.write(codesFile, good);
    try (VectorStore store = VectorStore.open(other)) {
      IOException e = assertThrows(IOException.class, () -> QuantizedCodes.open(codesFile, store));
      assertTrue(e.getMessage().startsWith(codesFile.toString()), e.getMessage());
      assertTrue(e.getMessage().contains(other.toString()), e.getMessage());
    }
    Files.write(codesFile, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    try (VectorStore store = VectorStore.open(other)) {
      IOException e = assertThrows(IOException.class, () -> QuantizedCodes.open(codesFile, store));
      assertTrue(e.getMessage().startsWith(codesFile.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("(.i8) or"), e.getMessage());
    }
  }

  /** The size bound, on a real data set: the codes are at most 7% of the .vec. */
  @Test
  void codesOfAllOfFashionMnistAreWithinSevenPercentOfTheVec() throws IOException {
    Path images = Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
    if (!Files.isReadable(images)) {
      if (System.getenv("CI") != null) {
        fail("CI must install the Debian package dataset-fashion-mnist: " + images);
      }
      Assumptions.abort(images + " is missing (install dataset-fashion-mnist)");
    }
    float[][] vectors = readIdx(images);
    Path vec = store(vectors);
    Path codesFile = dir.resolve("fashion.pq");
    try (VectorStore store = VectorStore.open(vec)) {
      PqCodes.write(codesFile, store, Metric.L2);
      try (PqCodes codes = PqCodes.open(codesFile, store)) {
        assertEquals(196, codes.subspaces());
      }
    }
    double share = Files.size(codesFile) / (double) Files.size(vec);
    System.out.printf("[pq] Fashion-MNIST 60,000 x 784: codes %.2f%% of the .vec%n", 100 * share);
    assertTrue(share <= 0.07, "codes are " + share + " of the .vec");
  }

  private static float[][] readIdx(Path gz) throws IOException {
    try (var in =
        new java.io.DataInputStream(
            new java.io.BufferedInputStream(
                new java.util.zip.GZIPInputStream(Files.newInputStream(gz))))) {
      in.readInt();
      int count = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      byte[] pixels = new byte[rows * cols];
      float[][] vectors = new float[count][rows * cols];
      for (float[] v : vectors) {
        in.readFully(pixels);
        for (int i = 0; i < pixels.length; i++) {
          v[i] = pixels[i] & 0xff;
        }
      }
      return vectors;
    }
  }

  private static void assertRejected(Path file, byte[] bytes, String field) throws IOException {
    Int8CodesTest.assertRejected(file, bytes, field, () -> PqCodes.open(file).close());
  }
}
