package io.zerocopy.bench.hnsw;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Path;
import java.util.List;

/**
 * Our {@link HnswIndex}: built on the heap, saved as {@code .hnsw} and reopened, so that searches
 * run as in production, straight from the mapped graph and the mapped {@code .vec} file.
 */
final class ZeroCopyLibrary implements HnswLibrary {

  private HnswIndex index;

  @Override
  public String name() {
    return "zero-copy";
  }

  @Override
  public String version() {
    String version = HnswIndex.class.getPackage().getImplementationVersion();
    return version == null ? "this branch" : version;
  }

  @Override
  public String layout() {
    return "mapped .vec + mapped .hnsw";
  }

  @Override
  public void build(VectorStore store, Metric metric, BuildParameters parameters, Path workDir)
      throws Exception {
    Path graph = workDir.resolve("index.hnsw");
    try (HnswIndex building =
        new HnswIndex(store, parameters.m(), parameters.efConstruction(), metric)) {
      building.build(parameters.threads());
      building.save(graph);
    }
    index = HnswIndex.open(store.path(), graph);
  }

  @Override
  public int search(float[] query, int k, int ef, int[] ids) {
    List<Neighbor> found = index.search(query, k, Math.max(k, ef));
    int n = Math.min(found.size(), ids.length);
    for (int i = 0; i < n; i++) {
      ids[i] = (int) found.get(i).id();
    }
    return n;
  }

  @Override
  public void close() {
    if (index != null) {
      index.close();
      index = null;
    }
  }
}
