package io.zerocopy.bench;

import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.search.Neighbor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The Java side of {@code bench/python/bridge_overhead.py}: single-query {@link HnswIndex#search}
 * latency on a saved index, one thread, one call at a time, timed around each call as the Python
 * side times {@code HNSWIndex.search}. Prints one JSON line: median and mean in µs, and the ids
 * found by the last round, so that the Python side can check both ran the same searches.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks.jar io.zerocopy.bench.SearchLatency \
 *     VEC HNSW QUERIES.vec QUERY_COUNT K EF WARMUP_ROUNDS ROUNDS
 * </pre>
 */
public final class SearchLatency {

  private SearchLatency() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 8) {
      throw new IllegalArgumentException(
          "expected VEC HNSW QUERIES QUERY_COUNT K EF WARMUP_ROUNDS ROUNDS, got "
              + Arrays.toString(args));
    }
    float[][] queries = FirstQueries.read(Path.of(args[2]), Integer.parseInt(args[3]));
    int k = Integer.parseInt(args[4]);
    int ef = Integer.parseInt(args[5]);
    int warmup = Integer.parseInt(args[6]);
    int rounds = Integer.parseInt(args[7]);
    try (HnswIndex index = HnswIndex.open(Path.of(args[0]), Path.of(args[1]))) {
      for (int r = 0; r < warmup; r++) {
        for (float[] q : queries) {
          index.search(q, k, ef);
        }
      }
      long[] nanos = new long[rounds * queries.length];
      long[][] ids = new long[queries.length][];
      int call = 0;
      for (int r = 0; r < rounds; r++) {
        for (int q = 0; q < queries.length; q++) {
          long start = System.nanoTime();
          List<Neighbor> found = index.search(queries[q], k, ef);
          nanos[call++] = System.nanoTime() - start;
          ids[q] = found.stream().mapToLong(Neighbor::id).toArray();
        }
      }
      Arrays.sort(nanos);
      double mean = Arrays.stream(nanos).average().orElse(0);
      StringBuilder json = new StringBuilder();
      json.append(
          String.format(
              Locale.ROOT,
              "{\"calls\": %d, \"median_us\": %.3f, \"mean_us\": %.3f, \"ids\": [",
              nanos.length,
              nanos[nanos.length / 2] / 1e3,
              mean / 1e3));
      for (int q = 0; q < ids.length; q++) {
        json.append(q == 0 ? "" : ", ").append(Arrays.toString(ids[q]));
      }
      System.out.println(json.append("]}"));
    }
  }
}
