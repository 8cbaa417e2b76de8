package io.zerocopy.bench.hnsw;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Path;
import java.util.List;

/**
 * Our {@link HnswIndex}: built on the heap, saved as {@code .hnsw} and reopened, so that searches
 * run as in production, straight from the mapped graph and the mapped {@code .vec} file; with
 * {@code rerank > 0}, quantized after the build (training and encoding count as build time) and
 * searched on its int8 codes, re-ranking {@code rerank} × k candidates from the float32 vectors.
 */
final class ZeroCopyLibrary implements HnswLibrary {

  private final int rerank;
  private HnswIndex index;

  /** Searches on the float32 vectors. */
  ZeroCopyLibrary() {
    this(0);
  }

  /** Searches on int8 codes with {@code rerank} (0: on the float32 vectors). */
  ZeroCopyLibrary(int rerank) {
    this.rerank = rerank;
  }

  @Override
  public String name() {
    if (rerank == 0) {
      return "zero-copy";
    }
    return rerank == HnswIndex.DEFAULT_RERANK ? "zero-copy-int8" : "zero-copy-int8-rerank" + rerank;
  }

  @Override
  public String version() {
    String version = HnswIndex.class.getPackage().getImplementationVersion();
    return version == null ? "this branch" : version;
  }

  @Override
  public String layout() {
    return rerank == 0
        ? "mapped .vec + mapped .hnsw"
        : "mapped .hnsw + mapped int8 codes (.i8), re-ranked from the mapped .vec";
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
    if (rerank == 0) {
      index = HnswIndex.open(store.path(), graph);
      return;
    }
    Path codes = workDir.resolve("index.i8");
    try (HnswIndex quantizing = HnswIndex.open(store.path(), graph)) {
      quantizing.quantize(codes);
    }
    index = HnswIndex.open(store.path(), graph, codes);
    index.setRerank(rerank);
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
