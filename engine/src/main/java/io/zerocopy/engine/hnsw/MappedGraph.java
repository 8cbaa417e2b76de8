package io.zerocopy.engine.hnsw;

import io.zerocopy.engine.store.Mappings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code .hnsw} file mapped read-only and searched in place: neighbour lists are copied from the
 * page cache into a thread's buffer one at a time; nothing but the tombstones is read into the
 * heap. Sections larger than a mapped chunk are split at block boundaries; offsets are longs.
 */
final class MappedGraph implements GraphView {

  private final Path file;
  private final HnswFile.Header header;
  private final int m;
  private final int size;
  private final ByteBuffer levels;
  private final Blocks level0;
  private final IntBuffer upperNodes;
  private final LongBuffer upperStarts;
  private final Blocks upper;
  private final long[] tombstones;
  private final List<ByteBuffer> mappings;

  private MappedGraph(
      Path file,
      HnswFile.Header header,
      ByteBuffer levels,
      Blocks level0,
      IntBuffer upperNodes,
      LongBuffer upperStarts,
      Blocks upper,
      long[] tombstones,
      List<ByteBuffer> mappings) {
    this.file = file;
    this.header = header;
    this.m = header.m();
    this.size = (int) header.nodes();
    this.levels = levels;
    this.level0 = level0;
    this.upperNodes = upperNodes;
    this.upperStarts = upperStarts;
    this.upper = upper;
    this.tombstones = tombstones;
    this.mappings = mappings;
  }

  static MappedGraph map(Path file, FileChannel channel, HnswFile.Header header, long chunkBytes)
      throws IOException {
    long nodes = header.nodes();
    long upperCount = header.upperNodes();
    if (upperCount * Long.BYTES > Integer.MAX_VALUE) {
      throw new HnswFormatException(
          file, "num_upper_nodes", "at most " + (Integer.MAX_VALUE / Long.BYTES), "" + upperCount);
    }
    List<ByteBuffer> mappings = new ArrayList<>();
    ByteBuffer levels = map(mappings, channel, header.levelsOffset(), nodes);
    Blocks level0 =
        new Blocks(mappings, channel, header.level0Offset(), nodes, 1 + 2 * header.m(), chunkBytes);
    IntBuffer upperNodes =
        map(mappings, channel, header.upperNodesOffset(), upperCount * Integer.BYTES).asIntBuffer();
    LongBuffer upperStarts =
        map(mappings, channel, header.upperStartsOffset(), upperCount * Long.BYTES).asLongBuffer();
    Blocks upper =
        new Blocks(
            mappings,
            channel,
            header.upperOffset(),
            header.upperBlocks(),
            1 + header.m(),
            chunkBytes);
    int words = Tombstones.wordsFor((int) nodes);
    long[] tombstones = new long[words];
    map(mappings, channel, header.tombstonesOffset(), (long) words * Long.BYTES)
        .asLongBuffer()
        .get(tombstones);
    long deleted = 0;
    for (long word : tombstones) {
      deleted += Long.bitCount(word);
    }
    if (deleted != header.deleted()) {
      throw new HnswFormatException(
          file, "num_deleted", deleted + " (bits set in the tombstones)", "" + header.deleted());
    }
    if (nodes > 0 && levels.get(header.entryPoint()) != header.maxLevel()) {
      throw new HnswFormatException(
          file,
          "max_level",
          "the level of entry point "
              + header.entryPoint()
              + ": "
              + levels.get(header.entryPoint()),
          "" + header.maxLevel());
    }
    checkGraph(file, header, levels, level0, upperNodes, upperStarts, upper);
    Mappings.adviseRandom(mappings); // read in order once by the checks, at random by searches
    return new MappedGraph(
        file, header, levels, level0, upperNodes, upperStarts, upper, tombstones, mappings);
  }

  /**
   * Checks what the checksums cannot (a crafted file carries valid ones): every level, every
   * neighbour count and id, and the index of the upper layers, so that a search stays inside the
   * mapped sections and only asks a node for layers it has. One pass, like the checksum's.
   */
  private static void checkGraph(
      Path file,
      HnswFile.Header header,
      ByteBuffer levels,
      Blocks level0,
      IntBuffer upperNodes,
      LongBuffer upperStarts,
      Blocks upper)
      throws HnswFormatException {
    int nodes = (int) header.nodes();
    int m = header.m();
    int[] ids = new int[2 * m];
    int u = 0;
    long start = 0;
    for (int node = 0; node < nodes; node++) {
      int level = levels.get(node);
      if (level < 0 || level > header.maxLevel()) {
        throw new HnswFormatException(
            file,
            "level of node " + node,
            "0 to max_level " + header.maxLevel(),
            String.valueOf(level));
      }
      checkBlock(file, level0, node, 2 * m, ids, nodes, levels, 0, node);
      if (level == 0) {
        continue;
      }
      if (u >= upperNodes.limit() || upperNodes.get(u) != node || upperStarts.get(u) != start) {
        throw new HnswFormatException(
            file,
            "upper layer index entry " + u,
            "node " + node + " (level " + level + ") with its first block at " + start,
            u >= upperNodes.limit()
                ? "no entry left"
                : "node " + upperNodes.get(u) + " at block " + upperStarts.get(u));
      }
      for (int l = 1; l <= level; l++) {
        checkBlock(file, upper, start + l - 1, m, ids, nodes, levels, l, node);
      }
      start += level;
      u++;
    }
    if (u != upperNodes.limit() || start != header.upperBlocks()) {
      throw new HnswFormatException(
          file,
          "upper layer index",
          header.upperNodes() + " nodes with " + header.upperBlocks() + " blocks (from the header)",
          u + " nodes with " + start + " blocks (from the levels)");
    }
  }

  /** A block must hold at most {@code capacity} ids of nodes that have layer {@code level}. */
  private static void checkBlock(
      Path file,
      Blocks blocks,
      long block,
      int capacity,
      int[] ids,
      int nodes,
      ByteBuffer levels,
      int level,
      int node)
      throws HnswFormatException {
    int count = blocks.count(block);
    if (count < 0 || count > capacity) {
      throw new HnswFormatException(
          file,
          "neighbour count of node " + node + " on layer " + level,
          "0 to " + capacity,
          String.valueOf(count));
    }
    blocks.read(block, ids);
    for (int i = 0; i < count; i++) {
      int id = ids[i];
      if (id < 0 || id >= nodes || levels.get(id) < level) {
        throw new HnswFormatException(
            file,
            "neighbour " + i + " of node " + node + " on layer " + level,
            "a node in [0, " + nodes + ") with that layer",
            String.valueOf(id));
      }
    }
  }

  private static ByteBuffer map(
      List<ByteBuffer> mappings, FileChannel channel, long offset, long bytes) throws IOException {
    ByteBuffer mapping =
        channel.map(FileChannel.MapMode.READ_ONLY, offset, bytes).order(ByteOrder.LITTLE_ENDIAN);
    mappings.add(mapping);
    return mapping;
  }

  /** Unmaps the file now; only when no thread reads this graph any more ({@link Mappings}). */
  void unmap() {
    Mappings.unmap(mappings);
  }

  Path file() {
    return file;
  }

  /** Mapped chunks of layer 0 (more than one only for graphs over a chunk's size). */
  int level0Chunks() {
    return level0.chunks.length;
  }

  HnswFile.Header header() {
    return header;
  }

  /** A heap copy of the persisted tombstones. */
  Tombstones tombstones() {
    return new Tombstones(tombstones.clone());
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int m() {
    return m;
  }

  @Override
  public int level(int node) {
    return levels.get(node);
  }

  @Override
  public int neighbors(int node, int level, int[] dst) {
    if (level == 0) {
      return level0.read(node, dst);
    }
    int low = 0;
    int high = upperNodes.limit() - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int id = upperNodes.get(mid);
      if (id < node) {
        low = mid + 1;
      } else if (id > node) {
        high = mid - 1;
      } else {
        return upper.read(upperStarts.get(mid) + level - 1, dst);
      }
    }
    throw new IllegalStateException(file + ": node " + node + " has no layer " + level);
  }

  @Override
  public int touch(int node) {
    return level0.count(node);
  }

  /** Fixed-size int blocks ({@code count, ids…}) mapped in chunks that never split a block. */
  private static final class Blocks {
    private final IntBuffer[] chunks;
    private final long blocksPerChunk;
    private final int blockInts;

    Blocks(
        List<ByteBuffer> mappings,
        FileChannel channel,
        long offset,
        long blocks,
        int blockInts,
        long chunkBytes)
        throws IOException {
      this.blockInts = blockInts;
      long blockBytes = (long) blockInts * Integer.BYTES;
      this.blocksPerChunk = Math.max(1, chunkBytes / blockBytes);
      int count = (int) Math.max(1, (blocks + blocksPerChunk - 1) / blocksPerChunk);
      chunks = new IntBuffer[count];
      for (int c = 0; c < count; c++) {
        long first = c * blocksPerChunk;
        long n = Math.max(0, Math.min(blocksPerChunk, blocks - first));
        chunks[c] =
            map(mappings, channel, offset + first * blockBytes, n * blockBytes).asIntBuffer();
      }
    }

    /** The stored count of a block, unchecked. */
    int count(long block) {
      if (chunks.length == 1) {
        return chunks[0].get((int) block * blockInts); // no 64-bit division (touch, per node)
      }
      return chunks[(int) (block / blocksPerChunk)].get((int) (block % blocksPerChunk) * blockInts);
    }

    int read(long block, int[] dst) {
      IntBuffer chunk;
      int base;
      if (chunks.length == 1) {
        chunk = chunks[0]; // no 64-bit division per visited node
        base = (int) block * blockInts;
      } else {
        chunk = chunks[(int) (block / blocksPerChunk)];
        base = (int) (block % blocksPerChunk) * blockInts;
      }
      int count = chunk.get(base);
      chunk.get(base + 1, dst, 0, count);
      return count;
    }
  }
}
