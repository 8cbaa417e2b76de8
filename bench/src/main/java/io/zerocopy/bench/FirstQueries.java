package io.zerocopy.bench;

import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.file.Path;

/** The first n vectors of a {@code .vec} file as queries: what numpy_batch.py uses too. */
final class FirstQueries {

  private FirstQueries() {}

  static float[][] read(Path vec, int n) throws IOException {
    try (VectorStore store = VectorStore.open(vec)) {
      if (n < 1 || n > store.size()) {
        throw new IllegalArgumentException(
            vec + ": asked for " + n + " queries, the file holds " + store.size());
      }
      float[][] out = new float[n][];
      for (int q = 0; q < n; q++) {
        out[q] = store.get(q);
      }
      return out;
    }
  }
}
