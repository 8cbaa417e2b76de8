package io.zerocopy.bench.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.codes.QuantizedCodes;
import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quantized search on real embeddings: MiniLM vectors of 20,000 WordNet sentences (the Debian
 * package the project installs), an HNSW at the defaults searched on int8 and on pq codes, each
 * with its default re-ranking: recall@10 against exact search, exact distances reported.
 */
class MiniLmQuantizedRecallTest {

  @TempDir Path temp;

  @Test
  void codesKeepRecallAtTheDefaults() throws Exception {
    boolean installed = Files.isRegularFile(WordnetSentences.DEBIAN_DIR.resolve("data.noun"));
    if (System.getenv("CI") == null) {
      Assumptions.assumeTrue(installed, "wordnet-base is not installed (scripts/install-data.sh)");
    }
    // embeds once, then reads the cache (~/.cache/zero-copy-search/wordnet-minilm/...)
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      PrepareWordnet.main(new String[] {"--limit", "20000", "--queries", "200", "--threads", "2"});
    } finally {
      System.setOut(out);
    }
    Path train = null;
    Path queriesFile = null;
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      String value = line.substring(line.indexOf('=') + 1).replace("'", "");
      if (line.startsWith("WORDNET_TRAIN_VEC=")) {
        train = Path.of(value);
      } else if (line.startsWith("WORDNET_QUERIES_VEC=")) {
        queriesFile = Path.of(value);
      }
    }
    float[][] queries;
    try (VectorStore q = VectorStore.open(queriesFile)) {
      queries = new float[(int) q.size()][];
      for (int i = 0; i < queries.length; i++) {
        queries[i] = q.get(i);
      }
    }
    try (VectorStore store = VectorStore.open(train);
        HnswIndex index = new HnswIndex(store, 16, 200, Metric.COSINE)) {
      index.build();
      List<List<Neighbor>> truth = BruteForce.searchBatch(store, queries, 10, Metric.COSINE);
      for (QuantizedCodes.Kind kind : QuantizedCodes.Kind.values()) {
        Path codes = temp.resolve("train." + kind.id());
        index.quantize(codes, kind);
        double limit = kind == QuantizedCodes.Kind.INT8 ? 0.27 : 0.07;
        // pq: 256 centroids per dimension (393 KB at 384) weigh on 20,000 vectors' 30 MB
        long table = kind == QuantizedCodes.Kind.PQ ? 4L * 256 * 384 : 0;
        assertTrue(
            Files.size(codes) - table <= limit * Files.size(train),
            kind + " codes within " + limit + " of the .vec");
        double recall = recall(store, index, queries, truth);
        System.out.printf(
            "[minilm %s] 20,000 sentences, rerank %d: recall@10=%.4f%n",
            kind.id(), index.rerank(), recall);
        assertTrue(recall >= 0.95, kind + ": recall@10 " + recall + " < 0.95");
      }
    }
  }

  private static double recall(
      VectorStore store, HnswIndex index, float[][] queries, List<List<Neighbor>> truth) {
    {
      double hits = 0;
      for (int q = 0; q < queries.length; q++) {
        List<Neighbor> found = index.search(queries[q], 10);
        assertEquals(10, found.size());
        Set<Long> want = new HashSet<>();
        for (Neighbor n : truth.get(q)) {
          want.add(n.id());
        }
        for (Neighbor n : found) {
          hits += want.contains(n.id()) ? 1 : 0;
          // re-ranked: the exact distance, as exact search reports it
          assertEquals(
              Distance.calculate(queries[q], store.get(n.id()), Metric.COSINE), n.distance(), 0f);
        }
      }
      return hits / (10.0 * queries.length);
    }
  }
}
