package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.codes.QuantizedCodes;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.CodesScan;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.Mappings;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * An opened index's mappings (its vectors, its graph, its codes) are advised random where the JVM
 * can (JDK 17 and 22+, as the engine's tests run them): the kernel marks such a mapping {@code rr}
 * in /proc/self/smaps. A store or codes opened for a scan keep the kernel's read-ahead.
 */
@EnabledOnOs(OS.LINUX)
class RandomAdviceTest {

  @TempDir Path dir;

  @Test
  void anOpenedIndexReadsItsFilesAtRandomWhereTheJvmCan() throws Exception {
    int feature = Runtime.version().feature();
    if (feature >= 22 || feature == 17) {
      // the build's test JVMs: native access, and on 17 the incubating FFM module
      assertTrue(Mappings.randomAdviceSupported(), "JDK " + feature);
    } else {
      assertFalse(Mappings.randomAdviceSupported(), "JDK " + feature + ": no FFM API served");
    }
    float[][][] split = HnswTestData.mixtureWithQueries(3_000, 20, 32, 8, 11);
    Path built = dir.resolve("built.vec");
    Path hnsw = dir.resolve("v.hnsw");
    Path codes = dir.resolve("v.i8");
    VectorStore.create(built, split[0]);
    List<List<Long>> before = new ArrayList<>();
    try (VectorStore store = VectorStore.open(built);
        HnswIndex index = new HnswIndex(store, 16, 100, Metric.L2)) {
      index.build(1);
      index.save(hnsw);
      index.quantize(codes);
      for (float[] query : split[1]) {
        before.add(ids(index.search(query, 10)));
      }
    }
    // copies: the build's mapping of built.vec stays until a collection, unadvised
    Path searched = Files.copy(built, dir.resolve("searched.vec"));
    Path scanned = Files.copy(built, dir.resolve("scanned.vec"));
    boolean advised = Mappings.randomAdviceSupported();
    try (VectorStore scan = VectorStore.open(scanned);
        HnswIndex index = HnswIndex.open(searched, hnsw)) {
      assertEquals(List.of(false), randomFlags(scanned), "a store for scans keeps read-ahead");
      assertEquals(List.of(advised), randomFlags(searched), "the index's .vec");
      // the open's checksum pass maps the file in chunks too, unmapped at once only where
      // Mappings.supported(): those may linger unadvised
      assertEquals(advised, randomFlags(hnsw).contains(true), ".hnsw " + randomFlags(hnsw));
      for (int q = 0; q < split[1].length; q++) {
        assertEquals(before.get(q), ids(index.search(split[1][q], 10)), "query " + q);
      }
      assertEquals(split[0].length, scan.size());
    }
    Path scannedCodes = Files.copy(codes, dir.resolve("scanned.i8"));
    try (VectorStore scan = VectorStore.open(scanned);
        QuantizedCodes forScans = QuantizedCodes.open(scannedCodes, scan);
        HnswIndex index = HnswIndex.open(searched, hnsw, codes)) {
      assertFalse(randomFlags(codes).isEmpty());
      assertTrue(randomFlags(codes).stream().allMatch(f -> f == advised), ".i8");
      assertEquals(10, index.search(split[1][0], 10).size());
      // the codes and their error bounds: two mappings
      assertEquals(
          List.of(false, false), randomFlags(scannedCodes), "codes for scans keep read-ahead");
      assertEquals(
          10,
          CodesScan.searchApproximately(scan, forScans, split[1], 10, Metric.L2, 3, 1)
              .get(0)
              .size());
    }
  }

  private static List<Long> ids(List<Neighbor> neighbors) {
    List<Long> ids = new ArrayList<>();
    for (Neighbor n : neighbors) {
      ids.add(n.id());
    }
    return ids;
  }

  /** Whether each mapping of {@code file}, in address order, carries the kernel's rr flag. */
  private static List<Boolean> randomFlags(Path file) throws IOException {
    String name = file.toRealPath().toString();
    List<Boolean> flags = new ArrayList<>();
    boolean inside = false;
    for (String line : Files.readAllLines(Paths.get("/proc/self/smaps"))) {
      if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
        inside = line.endsWith(" " + name);
      } else if (inside && line.startsWith("VmFlags:")) {
        flags.add(List.of(line.substring(8).trim().split(" ")).contains("rr"));
      }
    }
    return flags;
  }
}
