package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.Mappings;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * unmap() returns a deleted file's mappings at once (an evicted cache copy frees its disk blocks),
 * not at a later collection; read through /proc/self/maps, which lists every mapping of the process
 * with its file.
 */
@EnabledOnOs(OS.LINUX)
class UnmapTest {

  @TempDir Path dir;

  @Test
  void unmappingAStoreReleasesItsDeletedFile() throws Exception {
    Path vec = dir.resolve("store.vec");
    VectorStore.create(vec, HnswTestData.mixtureWithQueries(500, 1, 8, 4, 3)[0]);
    VectorStore store = VectorStore.open(vec);
    float[] first = store.get(0);
    Files.delete(vec);
    assertTrue(mapped(vec), "mapped while open, deleted or not");
    store.unmap();
    // JDK 24+ without --sun-misc-unsafe-memory-access=allow (the engine's tests on JDK 25): the
    // store is closed and the collector unmaps it later, as before
    assertEquals(!Mappings.supported(), mapped(vec), "unmapped at once where supported");
    assertThrows(IllegalStateException.class, () -> store.get(0)); // closed, not a crash
    assertEquals(8, first.length);
    store.unmap(); // twice is harmless
  }

  @Test
  void unmappingAnIndexReleasesItsGraphAndItsStore() throws Exception {
    float[][] data = HnswTestData.mixtureWithQueries(2_000, 1, 16, 8, 5)[0];
    Path vec = dir.resolve("v.vec");
    Path hnsw = dir.resolve("v.hnsw");
    VectorStore.create(vec, data);
    try (VectorStore store = VectorStore.open(vec);
        HnswIndex index = new HnswIndex(store, 8, 40, Metric.L2)) {
      index.build(1);
      index.save(hnsw);
      store.unmap(); // the build's own mapping: else it would stay until a collection
    }
    HnswIndex mapped = HnswIndex.open(vec, hnsw);
    assertEquals(0L, mapped.search(data[0], 1).get(0).id());
    Files.delete(vec);
    Files.delete(hnsw);
    assertTrue(mapped(vec) && mapped(hnsw));
    mapped.unmap();
    assertEquals(!Mappings.supported(), mapped(vec), "the store is unmapped where supported");
    assertEquals(
        !Mappings.supported(),
        mapped(hnsw),
        "the graph is unmapped, and the checksum pass left no mapping, where supported");
    assertThrows(IllegalStateException.class, () -> mapped.search(data[0], 1));
  }

  private static boolean mapped(Path file) throws IOException {
    String maps = Files.readString(Path.of("/proc/self/maps"));
    return maps.contains(file.toAbsolutePath().toString());
  }
}
