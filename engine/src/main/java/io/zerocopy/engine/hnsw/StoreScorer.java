package io.zerocopy.engine.hnsw;

import io.zerocopy.engine.distance.MappedKernel;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.store.VectorStore;
import java.nio.ByteBuffer;

/**
 * Scores through a mapped {@link VectorStore}. Where the Vector API reads mapped memory ({@link
 * MappedKernel}: JDK 17-19 and 22+), a walk scores vectors in place, eight or four at a time
 * ({@link MappedKernel#walkScores8}, {@link MappedKernel#walkScores}); its scores are then not the
 * array kernels' bits, so results are re-scored exactly before they are reported. Elsewhere the
 * node's vector is copied into a heap array and the selected kernel runs on it. Cosine ranks a
 * query scaled to unit length (two sums per element, not three), also re-scored exactly.
 */
final class StoreScorer implements VectorScorer {

  private final VectorStore store;
  private final Metric metric;
  private final VectorKernel kernel;
  private final int dimension;
  private final boolean unitCosine;

  /** In-place scoring, or null: copy, then score on the heap. */
  private final MappedKernel inPlace;

  private final MappedKernel.WalkScore walkScore;

  /** Whether lists are scored eight vectors at a time ({@link MappedKernel#scoresEight}). */
  private final boolean eight;

  /** The store's mappings and their {@link MappedKernel#view}s, made once. */
  private final ByteBuffer[] mappings;

  private final Object[] views;

  StoreScorer(VectorStore store, Metric metric, VectorKernel kernel) {
    this.store = store;
    this.metric = metric;
    this.kernel = kernel;
    this.dimension = store.dimension();
    this.unitCosine = metric == Metric.COSINE;
    this.inPlace = MappedKernel.matching(kernel);
    this.eight = inPlace != null && inPlace.scoresEight();
    this.walkScore =
        switch (metric) {
          case L2 -> MappedKernel.WalkScore.SQUARE_DISTANCE;
          case DOT -> MappedKernel.WalkScore.NEGATED_DOT;
          case COSINE -> MappedKernel.WalkScore.COSINE_TO_UNIT;
        };
    int count = inPlace == null ? 0 : store.mappingCount();
    this.mappings = new ByteBuffer[count];
    this.views = new Object[count];
    for (int i = 0; i < count; i++) {
      mappings[i] = store.mapping(i);
      views[i] = inPlace.view(mappings[i]);
    }
  }

  VectorStore store() {
    return store;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public long size() {
    return store.size();
  }

  @Override
  public void read(int node, float[] dst, int offset) {
    store.read(node, dst, offset);
  }

  @Override
  public float[] prepare(float[] query, float[] buffer) {
    if (!unitCosine) {
      return query;
    }
    float squaredNorm = kernel.dot(query, 0, query, 0, dimension);
    // a zero query stays zero: at distance 1 from everything, as cosineDistance has it
    float scale = squaredNorm > 0f ? (float) (1.0 / Math.sqrt(squaredNorm)) : 0f;
    for (int i = 0; i < dimension; i++) {
      buffer[i] = query[i] * scale;
    }
    return buffer;
  }

  @Override
  public float score(float[] query, int node, float[] scratch) {
    if (inPlace != null) {
      int m = store.mappingIndexOf(node);
      try {
        return inPlace.walkScore(
            walkScore, query, dimension, mappings[m], views[m], store.byteOffsetInMapping(node));
      } catch (InternalError e) {
        throw store.mappingFault(e);
      }
    }
    store.read(node, scratch, 0);
    return unitCosine
        ? kernel.cosineDistanceToUnit(query, 0, scratch, 0, dimension)
        : compare(query, 0, scratch, 0);
  }

  @Override
  public int touch(int[] nodes, int count) {
    return store.touch(nodes, count);
  }

  @Override
  public void scoreAll(float[] query, int[] nodes, int count, float[] scores, float[] block) {
    if (inPlace != null) {
      scoreInPlace(query, nodes, count, scores, block);
      return;
    }
    for (int i = 0; i < count; i++) {
      store.read(nodes[i], block, i * dimension);
    }
    if (unitCosine) {
      for (int i = 0; i < count; i++) {
        scores[i] = kernel.cosineDistanceToUnit(query, 0, block, i * dimension, dimension);
      }
    } else {
      // the bulk kernels share each load of the query between two vectors, with the single-pair
      // kernels' results
      metric.scoreBlock(kernel, query, 0, 0f, block, count, dimension, null, scores);
    }
  }

  private void scoreInPlace(float[] query, int[] nodes, int count, float[] scores, float[] block) {
    try {
      int i = 0;
      // eight at a time where the kernel has them and block (unused here) holds their 256 sums
      if (eight && block.length >= 256) {
        for (; i + 8 <= count; i += 8) {
          int m = store.mappingIndexOf(nodes[i]);
          boolean oneMapping = true;
          for (int j = 1; j < 8; j++) {
            oneMapping &= store.mappingIndexOf(nodes[i + j]) == m;
          }
          if (!oneMapping) {
            break; // a store of several mappings: the rest four at a time
          }
          inPlace.walkScores8(
              walkScore,
              query,
              dimension,
              mappings[m],
              views[m],
              store.byteOffsetInMapping(nodes[i]),
              store.byteOffsetInMapping(nodes[i + 1]),
              store.byteOffsetInMapping(nodes[i + 2]),
              store.byteOffsetInMapping(nodes[i + 3]),
              store.byteOffsetInMapping(nodes[i + 4]),
              store.byteOffsetInMapping(nodes[i + 5]),
              store.byteOffsetInMapping(nodes[i + 6]),
              store.byteOffsetInMapping(nodes[i + 7]),
              block,
              scores,
              i);
        }
      }
      for (; i + 4 <= count; i += 4) {
        int n0 = nodes[i], n1 = nodes[i + 1], n2 = nodes[i + 2], n3 = nodes[i + 3];
        int m0 = store.mappingIndexOf(n0), m1 = store.mappingIndexOf(n1);
        int m2 = store.mappingIndexOf(n2), m3 = store.mappingIndexOf(n3);
        inPlace.walkScores(
            walkScore,
            query,
            dimension,
            mappings[m0],
            views[m0],
            store.byteOffsetInMapping(n0),
            mappings[m1],
            views[m1],
            store.byteOffsetInMapping(n1),
            mappings[m2],
            views[m2],
            store.byteOffsetInMapping(n2),
            mappings[m3],
            views[m3],
            store.byteOffsetInMapping(n3),
            scores,
            i);
      }
      for (; i < count; i++) {
        int m = store.mappingIndexOf(nodes[i]);
        scores[i] =
            inPlace.walkScore(
                walkScore,
                query,
                dimension,
                mappings[m],
                views[m],
                store.byteOffsetInMapping(nodes[i]));
      }
    } catch (InternalError e) {
      throw store.mappingFault(e);
    }
  }

  @Override
  public boolean scoresAreExact() {
    return inPlace == null && !unitCosine;
  }

  @Override
  public float compare(float[] a, int aOffset, float[] b, int bOffset) {
    return metric.score(kernel, a, aOffset, b, bOffset, dimension);
  }

  @Override
  public float distance(float score) {
    return metric.distance(score);
  }
}
