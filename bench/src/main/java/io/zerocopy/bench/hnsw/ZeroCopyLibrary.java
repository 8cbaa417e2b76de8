package io.zerocopy.bench.hnsw;

import io.zerocopy.engine.codes.QuantizedCodes;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Path;
import java.util.List;

/**
 * Our {@link HnswIndex}: built on the heap, saved as {@code .hnsw} and reopened, so that searches
 * run as in production, straight from the mapped graph and the mapped {@code .vec} file; with codes
 * ({@code int8} or {@code pq}), quantized after the build (training and encoding count as build
 * time) and searched on its codes, re-ranking {@code rerank} × k candidates from the float32
 * vectors ({@code rerank} 0: the index's default for the codes).
 */
final class ZeroCopyLibrary implements HnswLibrary {

  private final QuantizedCodes.Kind codes;
  private final int rerank;
  private HnswIndex index;

  /** Searches on the float32 vectors. */
  ZeroCopyLibrary() {
    this(null, 0);
  }

  /** Searches on codes of {@code kind} (null: on the float32 vectors) with {@code rerank}. */
  ZeroCopyLibrary(QuantizedCodes.Kind kind, int rerank) {
    this.codes = kind;
    this.rerank = rerank;
  }

  @Override
  public String name() {
    if (codes == null) {
      return "zero-copy";
    }
    return "zero-copy-" + codes.id() + (rerank == 0 ? "" : "-rerank" + rerank);
  }

  @Override
  public String version() {
    String version = HnswIndex.class.getPackage().getImplementationVersion();
    return version == null ? "this branch" : version;
  }

  @Override
  public String layout() {
    return codes == null
        ? "mapped .vec + mapped .hnsw"
        : "mapped .hnsw + mapped " + codes.id() + " codes, re-ranked from the mapped .vec";
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
    if (codes == null) {
      index = HnswIndex.open(store.path(), graph);
      return;
    }
    Path file = workDir.resolve("index." + codes.id());
    try (HnswIndex quantizing = HnswIndex.open(store.path(), graph)) {
      quantizing.quantize(file, codes);
    }
    index = HnswIndex.open(store.path(), graph, file);
    if (rerank > 0) {
      index.setRerank(rerank);
    }
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
