package io.zerocopy.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BasicUsageTest {

  @Test
  void printsTenNeighboursThatMatchExactSearch(@TempDir Path dir) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<Neighbor> results;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      results = BasicUsage.run(dir, new Random(7), out);
    }
    String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertEquals(10, lines.length);
    assertTrue(lines[0].matches("Vector \\d+: distance=\\d+\\.\\d{4}"), lines[0]);
    assertEquals(32L + 10_000L * 128 * 4, Files.size(dir.resolve("vectors.vec")));
    for (int i = 1; i < results.size(); i++) {
      assertTrue(results.get(i - 1).distance() <= results.get(i).distance());
    }

    // same query again (the Random is replayed) against exact search: HNSW finds most of them
    Random replay = new Random(7);
    for (int i = 0; i < 10_000 * 128; i++) {
      replay.nextGaussian();
    }
    float[] query = new float[128];
    for (int i = 0; i < 128; i++) {
      query[i] = (float) replay.nextGaussian();
    }
    try (VectorStore store = VectorStore.open(dir.resolve("vectors.vec"))) {
      Set<Long> exact = new HashSet<>();
      BruteForce.search(store, query, 10, Metric.L2).forEach(n -> exact.add(n.id()));
      long found = results.stream().filter(n -> exact.contains(n.id())).count();
      // random 128-d Gaussians are the hardest case for HNSW; 7 of 10 is a loose floor
      assertTrue(found >= 7, "HNSW found " + found + " of the 10 exact neighbours");
    }
  }
}
