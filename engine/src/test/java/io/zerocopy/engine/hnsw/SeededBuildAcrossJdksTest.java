package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.VectorStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A seeded single-thread build gives the same {@code .hnsw} bytes on every JDK: scripts/test.sh
 * points {@code zcs.graph.digests} at one file for its JDK 17 and JDK 25 runs; the first run to
 * build a graph with a kernel records its SHA-256 there, every later run with that kernel (the
 * scalar one or the Vector API one) must build the same bytes. Without the property the test checks
 * the digest against itself only.
 */
class SeededBuildAcrossJdksTest {

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Metric.class)
  void sameGraphOnEveryJdk(Metric metric) throws Exception {
    float[][] vectors = HnswTestData.gaussianMixture(3_000, 40, 12, 5);
    Path file = dir.resolve("v.vec");
    VectorStore.create(file, vectors);
    Path graph = dir.resolve("v.hnsw");
    try (VectorStore store = VectorStore.open(file);
        HnswIndex index = new HnswIndex(store, 12, 80, metric)) {
      index.build(1, 2026L);
      index.save(graph);
    }
    String digest =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(graph)));
    // one machine per file: the Vector API kernel has the same vector width on both JDKs
    String key = metric.id() + " " + Distance.kernelName();
    String where = System.getProperty("zcs.graph.digests", "");
    if (where.isEmpty()) {
      return; // one JVM: HnswConcurrencyTest checks that a seed reproduces its graph
    }
    Path digests = Path.of(where);
    synchronized (SeededBuildAcrossJdksTest.class) {
      Map<String, String> known = new LinkedHashMap<>();
      List<String> lines =
          Files.exists(digests) ? Files.readAllLines(digests, StandardCharsets.UTF_8) : List.of();
      for (String line : lines) {
        int split = line.lastIndexOf(' ');
        known.put(line.substring(0, split), line.substring(split + 1));
      }
      String jdk = System.getProperty("java.version");
      if (known.containsKey(key)) {
        assertEquals(
            known.get(key),
            digest,
            key + ": JDK " + jdk + " built another graph than the run recorded in " + digests);
      } else {
        Files.createDirectories(digests.toAbsolutePath().getParent());
        Files.writeString(
            digests,
            key + " " + digest + "\n",
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
    }
  }
}
