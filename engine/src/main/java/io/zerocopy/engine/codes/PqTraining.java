package io.zerocopy.engine.codes;

import io.zerocopy.engine.search.ParallelTasks;
import io.zerocopy.engine.store.AtomicFiles;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * Trains the centroids of {@link PqCodes}, k-means (Lloyd, L2) per sub-space on a sample of evenly
 * spaced vectors, and writes a codes file.
 *
 * <p>Not the engine's {@link io.zerocopy.engine.cluster.KMeans}: that one scores a point against a
 * centre through the SIMD kernel, whose fixed cost per call dominates at 4 dimensions (all of
 * Fashion-MNIST's 196 sub-spaces took 141 s); these Lloyd iterations run on flat arrays, the
 * sub-spaces in parallel. Initial centres are distinct sample points drawn at random, as faiss's
 * default; an emptied centre takes the point farthest from its own centre.
 */
final class PqTraining {

  /**
   * Vectors sampled: 32 per centroid. faiss trains on up to 256 per centroid; with 4-dimensional
   * sub-spaces 32 already place the centres (the codes' recall is checked by the tests), and
   * training time grows with it.
   */
  static final int SAMPLE = 32 * PqCodes.CENTROIDS;

  /** Lloyd iterations per sub-space (faiss trains PQ with 25; 12 change the recall by < 0.001). */
  static final int ITERATIONS = 12;

  /** Vectors encoded per write. */
  private static final int VECTORS_PER_WRITE = 4096;

  private PqTraining() {}

  /** The centroids, laid out as {@link PqCodes} stores them. */
  static float[] train(VectorStore store, boolean unitVectors, int subspaces) {
    int d = store.dimension();
    long n = store.size();
    int samples = (int) Math.min(n, SAMPLE);
    float[] centroids = new float[PqCodes.CENTROIDS * d];
    if (samples == 0) {
      return centroids;
    }
    float[][] sample = new float[samples][d];
    for (int s = 0; s < samples; s++) {
      read(store, (long) ((double) s * n / samples), sample[s], unitVectors);
    }
    int[] starts = PqCodes.starts(d, subspaces);
    ParallelTasks.run(
        subspaces,
        ParallelTasks.defaultThreads(),
        sub -> {
          int first = starts[sub];
          int width = starts[sub + 1] - first;
          float[] points = new float[samples * width];
          for (int v = 0; v < samples; v++) {
            System.arraycopy(sample[v], first, points, v * width, width);
          }
          float[] trained = lloyd(points, samples, width, 42 + sub);
          System.arraycopy(trained, 0, centroids, PqCodes.CENTROIDS * first, trained.length);
        });
    return centroids;
  }

  /**
   * 256 centres of {@code count} points of {@code width} floats (flat), as 256 × width floats; with
   * fewer points than centres, the points, then copies of the first.
   */
  static float[] lloyd(float[] points, int count, int width, long seed) {
    int k = PqCodes.CENTROIDS;
    float[] centres = new float[k * width];
    int distinct = Math.min(k, count);
    // a random permutation's first entries: distinct points
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < distinct; i++) {
      int j = i + random.nextInt(count - i);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
      System.arraycopy(points, order[i] * width, centres, i * width, width);
    }
    for (int c = distinct; c < k; c++) {
      System.arraycopy(centres, 0, centres, c * width, width);
    }
    if (count <= k) {
      return centres;
    }
    int[] assigned = new int[count];
    float[] nearest = new float[count];
    double[] sums = new double[k * width];
    int[] sizes = new int[k];
    float[] transposed = new float[k * width];
    float[] distances = new float[k];
    for (int iteration = 0; iteration < ITERATIONS; iteration++) {
      transpose(centres, 0, width, transposed);
      for (int p = 0; p < count; p++) {
        int best = nearestCentre(points, p * width, transposed, width, distances);
        assigned[p] = best;
        nearest[p] = distances[best];
      }
      java.util.Arrays.fill(sums, 0);
      java.util.Arrays.fill(sizes, 0);
      for (int p = 0; p < count; p++) {
        int c = assigned[p];
        sizes[c]++;
        for (int j = 0; j < width; j++) {
          sums[c * width + j] += points[p * width + j];
        }
      }
      for (int c = 0; c < k; c++) {
        if (sizes[c] == 0) {
          // an emptied centre moves to the worst-served point, which it then serves
          int far = 0;
          for (int p = 1; p < count; p++) {
            if (nearest[p] > nearest[far]) {
              far = p;
            }
          }
          System.arraycopy(points, far * width, centres, c * width, width);
          nearest[far] = 0;
          continue;
        }
        for (int j = 0; j < width; j++) {
          centres[c * width + j] = (float) (sums[c * width + j] / sizes[c]);
        }
      }
    }
    return centres;
  }

  /**
   * Centres {@code centres[base ...]} (256 of {@code width} floats, centre-major) dimension-major
   * into {@code into}: {@code into[j * 256 + c]}, so that {@link #nearestCentre} runs along
   * centres.
   */
  static void transpose(float[] centres, int base, int width, float[] into) {
    for (int c = 0; c < PqCodes.CENTROIDS; c++) {
      for (int j = 0; j < width; j++) {
        into[j * PqCodes.CENTROIDS + c] = centres[base + c * width + j];
      }
    }
  }

  /**
   * The centre nearest to the point at {@code points[at]} (ties: the lower index), of centres
   * {@link #transpose transposed}; {@code distances} receives the squared distance to every centre.
   * One pass per dimension over all 256 centres: a loop the JIT compiles to SIMD instructions.
   */
  static int nearestCentre(
      float[] points, int at, float[] transposed, int width, float[] distances) {
    int k = PqCodes.CENTROIDS;
    float first = points[at];
    for (int c = 0; c < k; c++) {
      float diff = first - transposed[c];
      distances[c] = diff * diff;
    }
    for (int j = 1; j < width; j++) {
      float value = points[at + j];
      int row = j * k;
      for (int c = 0; c < k; c++) {
        float diff = value - transposed[row + c];
        distances[c] += diff * diff;
      }
    }
    int best = 0;
    float bestDistance = distances[0];
    for (int c = 1; c < k; c++) {
      if (distances[c] < bestDistance) {
        bestDistance = distances[c];
        best = c;
      }
    }
    return best;
  }

  static void write(Path target, VectorStore store, boolean unitVectors, int subspaces)
      throws IOException {
    write(target, store, unitVectors, subspaces, train(store, unitVectors, subspaces));
  }

  /** Writes the codes of all of {@code store}'s vectors with the given centroids, atomically. */
  static void write(
      Path target, VectorStore store, boolean unitVectors, int subspaces, float[] centroids)
      throws IOException {
    int d = store.dimension();
    long n = store.size();
    int[] starts = PqCodes.starts(d, subspaces);
    float[][] transposed = new float[subspaces][];
    for (int sub = 0; sub < subspaces; sub++) {
      int width = starts[sub + 1] - starts[sub];
      transposed[sub] = new float[PqCodes.CENTROIDS * width];
      transpose(centroids, PqCodes.CENTROIDS * starts[sub], width, transposed[sub]);
    }
    ThreadLocal<float[]> distances = ThreadLocal.withInitial(() -> new float[PqCodes.CENTROIDS]);
    ByteBuffer table = ByteBuffer.allocate(4 * centroids.length).order(ByteOrder.LITTLE_ENDIAN);
    table.asFloatBuffer().put(centroids);
    long codesOffset = PqCodes.codesOffset(d);
    long fileSize = codesOffset + n * subspaces;
    AtomicFiles.write(
        target,
        channel -> {
          CodeRows.writeFully(channel, table.duplicate(), PqCodes.HEADER_BYTES);
          CRC32C crc = new CRC32C();
          int perWrite = (int) Math.max(1, Math.min(VECTORS_PER_WRITE, (1 << 24) / subspaces));
          byte[] block = new byte[perWrite * subspaces];
          float[][] vectors = new float[perWrite][d];
          long position = codesOffset;
          for (long first = 0; first < n; first += perWrite) {
            int count = (int) Math.min(perWrite, n - first);
            long from = first;
            ParallelTasks.run(
                count,
                ParallelTasks.defaultThreads(),
                v -> {
                  read(store, from + v, vectors[v], unitVectors);
                  encode(vectors[v], transposed, starts, block, v * subspaces, distances.get());
                });
            ByteBuffer codes = ByteBuffer.wrap(block, 0, count * subspaces);
            crc.update(codes.duplicate());
            CodeRows.writeFully(channel, codes, position);
            position += (long) count * subspaces;
          }
          ByteBuffer header = ByteBuffer.allocate(PqCodes.HEADER_BYTES);
          header.order(ByteOrder.LITTLE_ENDIAN);
          header.putInt(PqCodes.MAGIC).putInt(PqCodes.VERSION).putLong(n).putInt(d);
          header.putInt(subspaces).putInt(unitVectors ? 1 : 0);
          header.putInt(CodeRows.crc(table.duplicate()));
          header.putLong(codesOffset).putLong(fileSize).putInt((int) crc.getValue());
          header.putInt(0).putInt(0);
          header.putInt(CodeRows.crc(header.duplicate().flip()));
          header.flip();
          CodeRows.writeFully(channel, header, 0);
        });
  }

  /** The nearest centroid of each sub-space (L2; ties: the lower code). */
  static void encode(
      float[] vector,
      float[][] transposed,
      int[] starts,
      byte[] out,
      int offset,
      float[] distances) {
    for (int sub = 0; sub < transposed.length; sub++) {
      int width = starts[sub + 1] - starts[sub];
      out[offset + sub] =
          (byte) nearestCentre(vector, starts[sub], transposed[sub], width, distances);
    }
  }

  /** Vector {@code id}, its non-finite values as 0, at unit length if asked. */
  private static void read(VectorStore store, long id, float[] vector, boolean unitVectors) {
    store.read(id, vector, 0);
    for (int i = 0; i < vector.length; i++) {
      if (!Float.isFinite(vector[i])) {
        vector[i] = 0f; // k-means and the nearest-centroid search need numbers
      }
    }
    if (unitVectors) {
      CodeRows.scaleToUnit(vector);
    }
  }
}
