package io.zerocopy.engine.hnsw;

import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.nio.file.Path;
import java.util.List;

/**
 * Run in a child JVM by {@link HnswHeapTest}: opens a mapped index, searches every vector of a
 * query file and prints one line per query ({@code id:distance …}), then the JVM's max heap.
 */
public final class MappedSearchProbe {

  private MappedSearchProbe() {}

  public static void main(String[] args) throws Exception {
    Path store = Path.of(args[0]);
    Path index = Path.of(args[1]);
    Path queries = Path.of(args[2]);
    StringBuilder out = new StringBuilder();
    try (HnswIndex mapped = HnswIndex.open(store, index);
        VectorStore queryStore = VectorStore.open(queries)) {
      for (long q = 0; q < queryStore.size(); q++) {
        out.append(format(mapped.search(queryStore.get(q), 10, 64))).append('\n');
      }
    }
    out.append("maxMemory=").append(Runtime.getRuntime().maxMemory()).append('\n');
    System.out.print(out);
  }

  static String format(List<Neighbor> neighbors) {
    StringBuilder line = new StringBuilder();
    for (Neighbor n : neighbors) {
      line.append(n.id()).append(':').append(Float.floatToIntBits(n.distance())).append(' ');
    }
    return line.toString().trim();
  }
}
