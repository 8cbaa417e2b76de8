package io.zerocopy.engine.hnsw;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.search.Neighbor;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.LongPredicate;
import java.util.zip.GZIPInputStream;

/** Shared data for the HNSW tests: Gaussian mixtures, Fashion-MNIST, exact answers and recall. */
final class HnswTestData {

  static final Path FASHION_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  private HnswTestData() {}

  /**
   * {@code n} points around {@code clusters} centres, each cluster a Gaussian whose spread decays
   * along the dimensions (standard deviation {@code 0.93^i}), as the spectrum of real embeddings
   * does: clustered data of moderate intrinsic dimension.
   */
  static float[][] gaussianMixture(int n, int dimension, int clusters, long seed) {
    Random random = new Random(seed);
    float[][] centres = new float[clusters][dimension];
    for (float[] centre : centres) {
      for (int i = 0; i < dimension; i++) {
        centre[i] = (float) (random.nextGaussian() * 4.0);
      }
    }
    float[][] points = new float[n][dimension];
    for (float[] point : points) {
      float[] centre = centres[random.nextInt(clusters)];
      for (int i = 0; i < dimension; i++) {
        point[i] = centre[i] + (float) (random.nextGaussian() * Math.pow(0.93, i));
      }
    }
    return points;
  }

  /** Data and queries from one mixture: row 0 the {@code n} vectors, row 1 the queries. */
  static float[][][] mixtureWithQueries(
      int n, int queries, int dimension, int clusters, long seed) {
    float[][] all = gaussianMixture(n + queries, dimension, clusters, seed);
    return new float[][][] {Arrays.copyOfRange(all, 0, n), Arrays.copyOfRange(all, n, n + queries)};
  }

  /** The first {@code limit} images of a gzipped IDX3 file as float vectors (pixel 0–255). */
  static float[][] readIdxImages(Path file, int limit) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
      int magic = in.readInt();
      if (magic != 0x00000803) {
        throw new IOException(
            file + ": IDX magic " + Integer.toHexString(magic) + ", expected 803");
      }
      int count = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      int n = Math.min(limit, count);
      int dimension = rows * cols;
      byte[] pixels = new byte[dimension];
      float[][] images = new float[n][dimension];
      for (int i = 0; i < n; i++) {
        in.readFully(pixels);
        for (int j = 0; j < dimension; j++) {
          images[i][j] = pixels[j] & 0xff;
        }
      }
      return images;
    }
  }

  /** Exact k nearest among {@code vectors} passing {@code allowed} (null: all). */
  static long[] exact(
      float[][] vectors, float[] query, int k, Metric metric, LongPredicate allowed) {
    List<Neighbor> all = new ArrayList<>();
    for (int i = 0; i < vectors.length; i++) {
      if (allowed == null || allowed.test(i)) {
        all.add(new Neighbor(i, Distance.calculate(query, vectors[i], metric)));
      }
    }
    all.sort(Comparator.naturalOrder());
    return all.stream().limit(k).mapToLong(Neighbor::id).toArray();
  }

  /** |found ∩ truth| / |truth|. */
  static double recall(List<Neighbor> found, long[] truth) {
    Set<Long> expected = new HashSet<>();
    for (long id : truth) {
      expected.add(id);
    }
    long hits = found.stream().filter(n -> expected.contains(n.id())).count();
    return truth.length == 0 ? 1.0 : (double) hits / truth.length;
  }

  static long[] ids(List<Neighbor> neighbors) {
    return neighbors.stream().mapToLong(Neighbor::id).toArray();
  }

  static float[][] concat(float[][] a, float[][] b) {
    float[][] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
