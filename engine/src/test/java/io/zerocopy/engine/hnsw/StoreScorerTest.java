package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.store.VectorStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The scorer's batch form scores as its one-by-one form, bit for bit, on a prepared query; the
 * exact distance it reports is the seed's.
 */
class StoreScorerTest {

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Metric.class)
  void scoreAllIsScoreOneByOne(Metric metric) throws Exception {
    SplittableRandom random = new SplittableRandom(9);
    for (int dimension : new int[] {3, 16, 33, 100, 384}) {
      float[][] vectors = new float[40][dimension];
      for (float[] v : vectors) {
        for (int i = 0; i < dimension; i++) {
          v[i] = (float) random.nextGaussian();
        }
      }
      vectors[7] = new float[dimension]; // a zero vector
      Path file = dir.resolve(metric + "-" + dimension + ".vec");
      VectorStore.create(file, vectors);
      try (VectorStore store = VectorStore.open(file)) {
        StoreScorer scorer = new StoreScorer(store, metric, VectorKernel.selected());
        float[] query = vectors[3].clone();
        float[] prepared = scorer.prepare(query, new float[dimension]);
        int[] nodes = {5, 7, 0, 39, 12, 3, 8};
        float[] scores = new float[nodes.length];
        scorer.scoreAll(prepared, nodes, nodes.length, scores, new float[nodes.length * dimension]);
        float[] scratch = new float[dimension];
        // every batch size: in place, groups of eight (with 512-bit vectors and a block of 256
        // floats), of four and the rest one by one give the same floats
        for (int count = 0; count <= 21; count++) {
          int[] some = new int[count];
          for (int i = 0; i < count; i++) {
            some[i] = random.nextInt(vectors.length);
          }
          float[] got = new float[count];
          scorer.scoreAll(prepared, some, count, got, new float[count * dimension]);
          for (int i = 0; i < count; i++) {
            assertEquals(
                scorer.score(prepared, some[i], scratch),
                got[i],
                metric + " d " + dimension + " count " + count + " node " + some[i]);
          }
        }
        for (int i = 0; i < nodes.length; i++) {
          String where = metric + " d " + dimension + " node " + nodes[i];
          assertEquals(scorer.score(prepared, nodes[i], scratch), scores[i], where);
          assertEquals(
              Distance.calculate(query, vectors[nodes[i]], metric),
              scorer.exactDistance(query, nodes[i], scratch),
              where);
          // ranking and seed distance agree up to rounding (in-place scores sum in another order)
          assertEquals(
              Distance.calculate(query, vectors[nodes[i]], metric),
              scorer.distance(scores[i]),
              1e-4 * Math.max(1, Math.abs(scorer.distance(scores[i]))),
              where);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void scoresVectorsInDifferentMappings(Metric metric) throws Exception {
    // a sparse 1.14 GiB file: two mapped chunks of 1 GiB; real vectors on both sides of the
    // boundary: a group of eight from the first mapping, then eight across both (scored four at a
    // time, each vector read from its own mapping), then one
    int dimension = 1024;
    long count = 300_000;
    long[] ids = {
      3, 4, 5, 6, 7, 8, 9, 10, 262_143, 262_144, 299_999, 262_145, 262_146, 1, 2, 299_998, 262_147
    };
    Path file = dir.resolve("two-chunks-" + metric + ".vec");
    SplittableRandom random = new SplittableRandom(5);
    float[][] vectors = new float[ids.length][dimension];
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer header = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
      header
          .putInt(0x56454354)
          .putInt(1)
          .putLong(count)
          .putInt(dimension)
          .putInt(0)
          .putLong(0)
          .flip();
      channel.write(header, 0);
      for (int v = 0; v < ids.length; v++) {
        ByteBuffer bytes = ByteBuffer.allocate(dimension * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int j = 0; j < dimension; j++) {
          vectors[v][j] = (float) random.nextGaussian();
          bytes.putFloat(vectors[v][j]);
        }
        bytes.flip();
        channel.write(bytes, 32 + ids[v] * dimension * 4L);
      }
      if (channel.size() < 32 + count * dimension * 4L) {
        channel.write(ByteBuffer.allocate(4), 32 + count * dimension * 4L - 4);
      }
    }
    try (VectorStore store = VectorStore.open(file)) {
      assertEquals(2, store.mappingCount());
      StoreScorer scorer = new StoreScorer(store, metric, VectorKernel.selected());
      float[] query = vectors[0].clone();
      float[] prepared = scorer.prepare(query, new float[dimension]);
      int[] nodes = new int[ids.length];
      for (int v = 0; v < ids.length; v++) {
        nodes[v] = (int) ids[v];
      }
      float[] scores = new float[nodes.length];
      scorer.scoreAll(prepared, nodes, nodes.length, scores, new float[nodes.length * dimension]);
      float[] scratch = new float[dimension];
      for (int v = 0; v < ids.length; v++) {
        String where = metric + " node " + nodes[v];
        assertEquals(scorer.score(prepared, nodes[v], scratch), scores[v], where);
        float exact = Distance.calculate(query, vectors[v], metric);
        assertEquals(exact, scorer.exactDistance(query, nodes[v], scratch), where);
        assertEquals(exact, scorer.distance(scores[v]), 1e-4 * Math.max(1, Math.abs(exact)), where);
      }
    }
  }
}
