package io.zerocopy.engine.hnsw;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

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

  private MappedGraph(
      Path file,
      HnswFile.Header header,
      ByteBuffer levels,
      Blocks level0,
      IntBuffer upperNodes,
      LongBuffer upperStarts,
      Blocks upper,
      long[] tombstones) {
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
  }

  static MappedGraph map(Path file, FileChannel channel, HnswFile.Header header)
      throws IOException {
    long nodes = header.nodes();
    long upperCount = header.upperNodes();
    if (upperCount * Long.BYTES > Integer.MAX_VALUE) {
      throw new HnswFormatException(
          file, "num_upper_nodes", "at most " + (Integer.MAX_VALUE / Long.BYTES), "" + upperCount);
    }
    ByteBuffer levels = map(channel, header.levelsOffset(), nodes);
    Blocks level0 = new Blocks(channel, header.level0Offset(), nodes, 1 + 2 * header.m());
    IntBuffer upperNodes =
        map(channel, header.upperNodesOffset(), upperCount * Integer.BYTES).asIntBuffer();
    LongBuffer upperStarts =
        map(channel, header.upperStartsOffset(), upperCount * Long.BYTES).asLongBuffer();
    Blocks upper = new Blocks(channel, header.upperOffset(), header.upperBlocks(), 1 + header.m());
    int words = Tombstones.wordsFor((int) nodes);
    long[] tombstones = new long[words];
    map(channel, header.tombstonesOffset(), (long) words * Long.BYTES)
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
    return new MappedGraph(
        file, header, levels, level0, upperNodes, upperStarts, upper, tombstones);
  }

  private static ByteBuffer map(FileChannel channel, long offset, long bytes) throws IOException {
    return channel.map(FileChannel.MapMode.READ_ONLY, offset, bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  Path file() {
    return file;
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

  /** Fixed-size int blocks ({@code count, ids…}) mapped in chunks that never split a block. */
  private static final class Blocks {
    private final IntBuffer[] chunks;
    private final long blocksPerChunk;
    private final int blockInts;

    Blocks(FileChannel channel, long offset, long blocks, int blockInts) throws IOException {
      this.blockInts = blockInts;
      long blockBytes = (long) blockInts * Integer.BYTES;
      this.blocksPerChunk = Math.max(1, HnswFile.CHUNK_BYTES / blockBytes);
      int count = (int) Math.max(1, (blocks + blocksPerChunk - 1) / blocksPerChunk);
      chunks = new IntBuffer[count];
      for (int c = 0; c < count; c++) {
        long first = c * blocksPerChunk;
        long n = Math.max(0, Math.min(blocksPerChunk, blocks - first));
        chunks[c] = map(channel, offset + first * blockBytes, n * blockBytes).asIntBuffer();
      }
    }

    int read(long block, int[] dst) {
      IntBuffer chunk = chunks[(int) (block / blocksPerChunk)];
      int base = (int) (block % blocksPerChunk) * blockInts;
      int count = chunk.get(base);
      chunk.get(base + 1, dst, 0, count);
      return count;
    }
  }
}
