package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.FuzzFiles;
import io.zerocopy.engine.store.VecHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Untrusted bytes as a {@code .hnsw} file: open must give an index that searches, or throw a {@link
 * HnswFormatException} naming the file. The first input byte is a mode: bit 0 set, the target
 * rewrites both CRC32C fields, so the fuzzer also reaches what lies behind the checksums (a crafted
 * file carries valid ones). The {@code .vec} file is made to match the header's node count and
 * dimension when they are small, so that the graph itself is what gets checked.
 */
class HnswFileFuzzTest {

  private static final int MAX_NODES = 4096;
  private static final int MAX_DIMENSION = 16;

  private static Path dir;
  private static int vectorNodes;
  private static int vectorDimension;

  @BeforeAll
  static void createDirectory() throws IOException {
    dir = Files.createTempDirectory("hnsw-fuzz");
    vectorNodes = 0;
  }

  @AfterAll
  static void deleteDirectory() throws IOException {
    FuzzFiles.deleteTree(dir);
  }

  @FuzzTest(maxDuration = "10m")
  void openAndSearch(byte[] input) throws IOException {
    if (input.length < 1) {
      return;
    }
    byte[] bytes = Arrays.copyOfRange(input, 1, input.length);
    if ((input[0] & 1) != 0) {
      fixChecksums(bytes);
    }
    Path index = FuzzFiles.write(dir.resolve("input.hnsw"), bytes);
    Path vectors = dir.resolve("input.vec");
    writeMatchingVectors(vectors, bytes);
    HnswIndex opened;
    try {
      opened = HnswIndex.open(vectors, index);
    } catch (HnswFormatException e) {
      assertEquals(index, e.file());
      assertTrue(e.getMessage().startsWith(index.toString()), e.getMessage());
      return;
    }
    try (HnswIndex hnsw = opened) {
      float[] query = new float[hnsw.dimension()];
      Arrays.fill(query, 0.5f);
      List<Neighbor> found = hnsw.search(query, 5, 10);
      assertTrue(found.size() <= Math.min(5, hnsw.size()));
      for (Neighbor neighbor : found) {
        assertTrue(neighbor.id() >= 0 && neighbor.id() < hnsw.size(), neighbor.toString());
        assertTrue(!hnsw.isDeleted(neighbor.id()), neighbor.toString());
      }
      List<Neighbor> filtered = hnsw.search(query, 3, 8, id -> id % 2 == 0);
      for (Neighbor neighbor : filtered) {
        assertEquals(0, neighbor.id() % 2);
      }
      assertEquals(hnsw.size(), ((Number) hnsw.stats().get("num_vectors")).longValue());
    }
  }

  /** A {@code .vec} file of the header's shape when it is small, else one that cannot match. */
  private static void writeMatchingVectors(Path vectors, byte[] bytes) throws IOException {
    int nodes = 1;
    int dimension = 2;
    if (bytes.length >= HnswFile.HEADER_BYTES) {
      ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      long headerNodes = le.getLong(24);
      int headerDimension = le.getInt(20);
      if (headerNodes >= 1 && headerNodes <= MAX_NODES) {
        nodes = (int) headerNodes;
      }
      if (headerDimension >= 1 && headerDimension <= MAX_DIMENSION) {
        dimension = headerDimension;
      }
    }
    if (nodes == vectorNodes && dimension == vectorDimension) {
      return; // unchanged: rewriting it for every input would halve the executions
    }
    // written directly, without the writer's fsync and rename, which a fuzz loop does not need
    ByteBuffer out =
        ByteBuffer.allocate(VecHeader.BYTES + nodes * dimension * Float.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
    new VecHeader(nodes, dimension).write(out);
    for (int i = 0; i < nodes; i++) {
      for (int d = 0; d < dimension; d++) {
        out.putFloat((i * 31 + d * 7) % 17 / 17f);
      }
    }
    Files.write(vectors, out.array());
    vectorNodes = nodes;
    vectorDimension = dimension;
  }

  private static void fixChecksums(byte[] bytes) {
    if (bytes.length < HnswFile.HEADER_BYTES) {
      return;
    }
    ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    CRC32C data = new CRC32C();
    data.update(bytes, HnswFile.HEADER_BYTES, bytes.length - HnswFile.HEADER_BYTES);
    le.putInt(120, (int) data.getValue());
    CRC32C header = new CRC32C();
    header.update(bytes, 0, 124);
    le.putInt(124, (int) header.getValue());
  }
}
