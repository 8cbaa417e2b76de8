package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.VectorStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Searching a mapped index needs no heap for the graph: a child JVM with a smaller -Xmx does. */
class HnswHeapTest {

  private static final int MAX_HEAP_MB = 8;

  @TempDir Path dir;

  @Test
  void searchesAGraphLargerThanTheHeap() throws Exception {
    float[][] all = HnswTestData.gaussianMixture(50_020, 8, 32, 51);
    float[][] vectors = Arrays.copyOfRange(all, 0, 50_000);
    float[][] queries = Arrays.copyOfRange(all, 50_000, 50_020);
    Path vec = dir.resolve("big.vec");
    Path hnsw = dir.resolve("big.hnsw");
    Path queryFile = dir.resolve("queries.vec");
    VectorStore.create(vec, vectors);
    VectorStore.create(queryFile, queries);
    try (VectorStore store = VectorStore.open(vec);
        HnswIndex index = new HnswIndex(store, 32, 24, Metric.L2)) {
      index.build();
      index.save(hnsw);
    }
    long graphBytes = Files.size(hnsw);
    assertTrue(
        graphBytes > (MAX_HEAP_MB + 4) * 1024L * 1024L,
        "the graph (" + graphBytes + " bytes) must be larger than the child's heap");
    List<String> expected = new ArrayList<>();
    try (HnswIndex mapped = HnswIndex.open(vec, hnsw)) {
      for (float[] query : queries) {
        expected.add(MappedSearchProbe.format(mapped.search(query, 10, 64)));
      }
    }

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + MAX_HEAP_MB + "m");
    command.add("-XX:+UseSerialGC");
    if (Distance.kernelName().equals("panama")) {
      command.add("--add-modules");
      command.add("jdk.incubator.vector");
    }
    command.add("-cp");
    command.add(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add(MappedSearchProbe.class.getName());
    command.add(vec.toString());
    command.add(hnsw.toString());
    command.add(queryFile.toString());
    Path log = dir.resolve("child.err");
    Process child = new ProcessBuilder(command).redirectError(log.toFile()).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
    assertEquals(0, child.exitValue(), "child failed: " + Files.readString(log) + output);
    List<String> lines = output.lines().toList();
    assertEquals(expected, lines.subList(0, queries.length));
    long childMaxHeap = Long.parseLong(lines.get(queries.length).substring("maxMemory=".length()));
    assertTrue(childMaxHeap < graphBytes, childMaxHeap + " >= " + graphBytes);
    System.out.printf(
        "[hnsw] mapped search in a child JVM: heap %d bytes < graph file %d bytes%n",
        childMaxHeap, graphBytes);
  }
}
