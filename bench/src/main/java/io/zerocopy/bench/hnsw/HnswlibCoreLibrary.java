package io.zerocopy.bench.hnsw;

import com.github.jelmerk.hnswlib.core.DistanceFunction;
import com.github.jelmerk.hnswlib.core.DistanceFunctions;
import com.github.jelmerk.hnswlib.core.Item;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * jelmerk's hnswlib-core, a pure-Java port of hnswlib: items (id + {@code float[]}) on the heap,
 * {@code addAll} on the build threads, {@code setEf} + {@code findNearest} per query.
 */
final class HnswlibCoreLibrary implements HnswLibrary {

  private HnswIndex<Integer, float[], VectorItem, Float> index;
  private int currentEf = -1;

  @Override
  public String name() {
    return "hnswlib-core";
  }

  @Override
  public String version() {
    return Versions.of("hnswlib-core");
  }

  @Override
  public String layout() {
    return "heap (float[] items + graph)";
  }

  @Override
  public void build(VectorStore store, Metric metric, BuildParameters parameters, Path workDir)
      throws Exception {
    int n = Math.toIntExact(store.size());
    DistanceFunction<float[], Float> distance;
    switch (metric) {
      case L2:
        distance = DistanceFunctions.FLOAT_EUCLIDEAN_DISTANCE;
        break;
      case COSINE:
        distance = DistanceFunctions.FLOAT_COSINE_DISTANCE;
        break;
      default:
        throw new IllegalArgumentException("hnswlib-core adapter: unsupported metric " + metric);
    }
    List<VectorItem> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(new VectorItem(i, store.get(i)));
    }
    index =
        HnswIndex.newBuilder(store.dimension(), distance, n)
            .withM(parameters.m())
            .withEfConstruction(parameters.efConstruction())
            .withEf(parameters.efConstruction())
            .build();
    index.addAll(items, parameters.threads(), (done, max) -> {}, Integer.MAX_VALUE);
  }

  @Override
  public int search(float[] query, int k, int ef, int[] ids) {
    int beam = Math.max(k, ef);
    if (beam != currentEf) {
      index.setEf(beam);
      currentEf = beam;
    }
    List<SearchResult<VectorItem, Float>> found = index.findNearest(query, k);
    int n = Math.min(found.size(), ids.length);
    for (int i = 0; i < n; i++) {
      ids[i] = found.get(i).item().id();
    }
    return n;
  }

  @Override
  public void close() {
    index = null;
  }

  /** An hnswlib-core item: the store ordinal and its vector. */
  record VectorItem(Integer id, float[] vector) implements Item<Integer, float[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public int dimensions() {
      return vector.length;
    }
  }
}
