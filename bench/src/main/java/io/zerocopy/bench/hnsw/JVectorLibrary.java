package io.zerocopy.bench.hnsw;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * jvector's in-memory hierarchical graph ({@code GraphIndexBuilder} with {@code addHierarchy}),
 * vectors on the heap, exact scoring (no PQ), searched with {@code GraphSearcher}. Degrees are
 * {@code 2M} on layer 0 and {@code M} above, as in HNSW; jvector's own defaults are kept for
 * neighbour overflow and alpha (1.2 each: its DiskANN-style pruning) and for the final refinement.
 */
final class JVectorLibrary implements HnswLibrary {

  private static final float NEIGHBOR_OVERFLOW = 1.2f;
  private static final float ALPHA = 1.2f;

  private final VectorTypeSupport vectors =
      VectorizationProvider.getInstance().getVectorTypeSupport();
  private ListRandomAccessVectorValues values;
  private VectorSimilarityFunction similarity;
  private ImmutableGraphIndex graph;
  private GraphSearcher searcher;

  @Override
  public String name() {
    return "jvector";
  }

  @Override
  public String version() {
    return Versions.of("jvector")
        + " ("
        + VectorizationProvider.getInstance().getClass().getSimpleName()
        + ")";
  }

  @Override
  public String layout() {
    return "heap (VectorFloat copies + graph)";
  }

  // the explicit constructor (deprecated in 4.0.2 for its Builder, which cannot set hierarchy and
  // refinement) keeps every parameter visible
  @SuppressWarnings("deprecation")
  @Override
  public void build(VectorStore store, Metric metric, BuildParameters parameters, Path workDir)
      throws Exception {
    switch (metric) {
      case L2:
        similarity = VectorSimilarityFunction.EUCLIDEAN;
        break;
      case COSINE:
        similarity = VectorSimilarityFunction.COSINE;
        break;
      default:
        throw new IllegalArgumentException("jvector adapter: unsupported metric " + metric);
    }
    int n = Math.toIntExact(store.size());
    List<VectorFloat<?>> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(vectors.createFloatVector(store.get(i)));
    }
    values = new ListRandomAccessVectorValues(list, store.dimension());
    BuildScoreProvider scores = BuildScoreProvider.randomAccessScoreProvider(values, similarity);
    ForkJoinPool pool = new ForkJoinPool(parameters.threads());
    try {
      GraphIndexBuilder builder =
          new GraphIndexBuilder(
              scores,
              store.dimension(),
              List.of(2 * parameters.m(), parameters.m()),
              parameters.efConstruction(),
              NEIGHBOR_OVERFLOW,
              ALPHA,
              true,
              true,
              pool,
              pool);
      graph = builder.build(values);
    } finally {
      pool.shutdown();
    }
    searcher = new GraphSearcher(graph);
  }

  @Override
  public int search(float[] query, int k, int ef, int[] ids) {
    DefaultSearchScoreProvider scores =
        DefaultSearchScoreProvider.exact(vectors.createFloatVector(query), similarity, values);
    SearchResult result = searcher.search(scores, k, Math.max(k, ef), 0f, 0f, Bits.ALL);
    SearchResult.NodeScore[] nodes = result.getNodes();
    int n = Math.min(Math.min(nodes.length, k), ids.length);
    for (int i = 0; i < n; i++) {
      ids[i] = nodes[i].node;
    }
    return n;
  }

  @Override
  public void close() throws IOException {
    if (searcher != null) {
      searcher.close();
    }
    searcher = null;
    graph = null;
    values = null;
  }
}
