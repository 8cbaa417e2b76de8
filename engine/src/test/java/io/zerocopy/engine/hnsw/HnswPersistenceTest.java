package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .hnsw file: roundtrip, layout, and that every kind of damage is reported with the file. */
class HnswPersistenceTest {

  @TempDir Path dir;

  private Path vec;
  private Path hnsw;
  private float[][] queries;

  @BeforeEach
  void buildAndSave() throws Exception {
    float[][][] data = HnswTestData.mixtureWithQueries(2_000, 50, 16, 12, 21);
    queries = data[1];
    vec = dir.resolve("v.vec");
    hnsw = dir.resolve("v.hnsw");
    VectorStore.create(vec, data[0]);
    try (VectorStore store = VectorStore.open(vec);
        HnswIndex index = new HnswIndex(store, 8, 64, Metric.COSINE)) {
      index.build(2);
      index.delete(7);
      index.save(hnsw);
      try (HnswIndex mapped = HnswIndex.open(vec, hnsw)) {
        assertTrue(mapped.isMapped());
        assertEquals(Metric.COSINE, mapped.metric());
        assertEquals(8, mapped.m());
        assertEquals(64, mapped.efConstruction());
        for (float[] query : queries) {
          assertEquals(index.search(query, 10), mapped.search(query, 10));
          assertEquals(index.search(query, 5, 80), mapped.search(query, 5, 80));
        }
        assertEquals(index.searchBatch(queries, 10, 60), mapped.searchBatch(queries, 10, 60));
        assertEquals(index.stats(), mapped.stats());
        // a mapped index saves too, byte for byte the same
        Path copy = dir.resolve("copy.hnsw");
        mapped.save(copy);
        assertEquals(-1L, Files.mismatch(hnsw, copy));
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertTrue(
          files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")),
          "no temporary file left");
    }
  }

  @Test
  void headerAndLayout() throws Exception {
    ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(hnsw)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals('H', head.get(0));
    assertEquals('N', head.get(1));
    assertEquals('S', head.get(2));
    assertEquals('W', head.get(3));
    assertEquals(1, head.getInt(4));
    assertEquals(Metric.COSINE.ordinal(), head.getInt(8));
    assertEquals(8, head.getInt(12));
    assertEquals(2_000L, head.getLong(24));
    assertEquals(1L, head.getLong(56), "one tombstone");
    assertEquals(Files.size(hnsw), head.getLong(112));
    long level0 = head.getLong(72);
    assertEquals(head.getLong(80) - level0, 2_000L * (1 + 2 * 8) * 4, "fixed layer-0 blocks");
    long tombstones = head.getLong(104);
    assertEquals(1L << 7, head.getLong((int) tombstones));
  }

  @Test
  void chunkedMappingAnswersAsOneMapping() throws Exception {
    // sections split into many small chunks exercise the > 2 GiB path (long offsets, block
    // boundaries) without a 2 GiB file
    try (HnswIndex whole = HnswIndex.open(vec, hnsw);
        HnswIndex chunked = HnswIndex.open(vec, hnsw, 1000)) {
      assertTrue(((MappedGraph) chunked.graphView()).level0Chunks() > 100);
      int[] neighbors = new int[16];
      for (int node = 0; node < 2_000; node += 37) {
        // touch loads a node's level-0 block, whose first int is its neighbour count
        int count = chunked.graphView().neighbors(node, 0, neighbors);
        assertEquals(count, chunked.graphView().touch(node), "node " + node);
        assertEquals(count, whole.graphView().touch(node), "node " + node);
      }
      for (float[] query : queries) {
        assertEquals(whole.search(query, 10, 40), chunked.search(query, 10, 40));
      }
      assertEquals(whole.stats(), chunked.stats());
    }
  }

  @Test
  void corruptedByteIsDetected() throws Exception {
    long size = Files.size(hnsw);
    flipByte(size / 2);
    HnswFormatException e =
        assertThrows(HnswFormatException.class, () -> HnswIndex.open(vec, hnsw));
    assertTrue(e.getMessage().contains(hnsw.toString()), e.getMessage());
    assertEquals("data checksum", e.field());
    assertEquals(hnsw, e.file());
  }

  @Test
  void corruptedHeaderIsDetected() throws Exception {
    flipByte(30);
    HnswFormatException e =
        assertThrows(HnswFormatException.class, () -> HnswIndex.open(vec, hnsw));
    assertTrue(e.getMessage().startsWith(hnsw.toString()), e.getMessage());
    assertEquals("header checksum", e.field());
  }

  @Test
  void wrongMagicIsNamed() throws Exception {
    flipByte(0);
    HnswFormatException e =
        assertThrows(HnswFormatException.class, () -> HnswIndex.open(vec, hnsw));
    assertEquals("magic", e.field());
    assertTrue(e.getMessage().contains(hnsw.toString()));
  }

  @Test
  void truncatedFileIsDetected() throws Exception {
    try (FileChannel channel = FileChannel.open(hnsw, StandardOpenOption.WRITE)) {
      channel.truncate(channel.size() - 100);
    }
    HnswFormatException e =
        assertThrows(HnswFormatException.class, () -> HnswIndex.open(vec, hnsw));
    assertTrue(e.getMessage().contains(hnsw.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    try (FileChannel channel = FileChannel.open(hnsw, StandardOpenOption.WRITE)) {
      channel.truncate(60);
    }
    e = assertThrows(HnswFormatException.class, () -> HnswIndex.open(vec, hnsw));
    assertTrue(e.getMessage().contains(hnsw.toString()), e.getMessage());
  }

  @Test
  void indexOfAnotherStoreIsRejected() throws Exception {
    Path other = dir.resolve("other.vec");
    VectorStore.create(other, HnswTestData.gaussianMixture(1_000, 16, 4, 1));
    HnswFormatException e =
        assertThrows(HnswFormatException.class, () -> HnswIndex.open(other, hnsw));
    assertTrue(e.getMessage().contains(hnsw.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(other.toString()), e.getMessage());
  }

  @Test
  void missingFileIsNamed() {
    Path missing = dir.resolve("missing.hnsw");
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> HnswIndex.open(vec, missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  @Test
  void saveReplacesAtomically() throws Exception {
    try (HnswIndex mapped = HnswIndex.open(vec, hnsw)) {
      mapped.delete(8);
      mapped.save(hnsw); // over the file it maps: the rename leaves the old mapping intact
      assertEquals(10, mapped.search(queries[0], 10).size());
    }
    try (HnswIndex reopened = HnswIndex.open(vec, hnsw)) {
      assertTrue(reopened.isDeleted(7));
      assertTrue(reopened.isDeleted(8));
    }
  }

  private void flipByte(long position) throws IOException {
    try (FileChannel channel =
        FileChannel.open(hnsw, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      channel.read(one, position);
      one.put(0, (byte) (one.get(0) ^ 0x5A)).rewind();
      channel.write(one, position);
    }
  }
}
