package io.zerocopy.engine.hnsw;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.AtomicFiles;
import io.zerocopy.engine.store.Mappings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The {@code .hnsw} file: a 128-byte little-endian header, then the sections below, each starting
 * at an offset that is a multiple of 8. Offsets are computed from the counts and also stored, and
 * the reader checks that both agree, that the file size is exact and that both checksums match.
 *
 * <pre>
 * offset field                     type
 *   0    magic "HNSW" (0x57534E48) u32
 *   4    version (1)               u32
 *   8    metric (0 l2, 1 cosine, 2 dot) u32
 *  12    M                         u32
 *  16    efConstruction            u32
 *  20    dimension                 u32
 *  24    num_nodes                 u64
 *  32    entry_point (-1: empty)   i32
 *  36    max_level (-1: empty)     i32
 *  40    num_upper_nodes           u64   nodes with level ≥ 1
 *  48    num_upper_blocks          u64   sum of their levels
 *  56    num_deleted               u64
 *  64    levels_offset             u64
 *  72    level0_offset             u64
 *  80    upper_nodes_offset        u64
 *  88    upper_starts_offset       u64
 *  96    upper_offset              u64
 * 104    tombstones_offset         u64
 * 112    file_size                 u64
 * 120    data_crc32c               u32   CRC32C of bytes [128, file_size)
 * 124    header_crc32c             u32   CRC32C of bytes [0, 124)
 * sections:
 *   levels      num_nodes × u8, the top level of each node
 *   level0      num_nodes × (1 + 2M) × i32: count, then 2M ids (unused: -1)
 *   upper_nodes num_upper_nodes × i32, ascending ids of the nodes with level ≥ 1
 *   upper_starts num_upper_nodes × u64: index of the node's first block in upper
 *   upper       num_upper_blocks × (1 + M) × i32: count, then M ids (unused: -1);
 *               block start + (l - 1) holds level l of the node
 *   tombstones  ceil(num_nodes / 64) × u64; bit (i mod 64) of word i / 64 set = node i deleted
 * </pre>
 */
final class HnswFile {

  static final int MAGIC = 0x57534E48;
  static final int VERSION = 1;
  static final int HEADER_BYTES = 128;

  /** Bytes per mapped chunk of a section; a ByteBuffer cannot exceed 2 GiB. */
  static final long CHUNK_BYTES = 1L << 30;

  private HnswFile() {}

  /** The header fields and the section layout they imply. */
  record Header(
      Metric metric,
      int m,
      int efConstruction,
      int dimension,
      long nodes,
      int entryPoint,
      int maxLevel,
      long upperNodes,
      long upperBlocks,
      long deleted) {

    long levelsOffset() {
      return HEADER_BYTES;
    }

    long level0Offset() {
      return align(levelsOffset() + nodes);
    }

    long upperNodesOffset() {
      return level0Offset() + nodes * (1L + 2L * m) * Integer.BYTES;
    }

    long upperStartsOffset() {
      return align(upperNodesOffset() + upperNodes * Integer.BYTES);
    }

    long upperOffset() {
      return upperStartsOffset() + upperNodes * Long.BYTES;
    }

    long tombstonesOffset() {
      return align(upperOffset() + upperBlocks * (1L + m) * Integer.BYTES);
    }

    long fileSize() {
      return tombstonesOffset() + ((nodes + 63) >>> 6) * Long.BYTES;
    }

    private static long align(long offset) {
      return (offset + 7) & ~7L;
    }

    void write(ByteBuffer out, int dataCrc) {
      ByteBuffer le = out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      le.putInt(MAGIC).putInt(VERSION).putInt(metric.ordinal()).putInt(m).putInt(efConstruction);
      le.putInt(dimension).putLong(nodes).putInt(entryPoint).putInt(maxLevel);
      le.putLong(upperNodes).putLong(upperBlocks).putLong(deleted);
      le.putLong(levelsOffset()).putLong(level0Offset()).putLong(upperNodesOffset());
      le.putLong(upperStartsOffset()).putLong(upperOffset()).putLong(tombstonesOffset());
      le.putLong(fileSize()).putInt(dataCrc);
      CRC32C crc = new CRC32C();
      ByteBuffer covered = out.duplicate();
      covered.limit(covered.position() + 124);
      crc.update(covered);
      le.putInt((int) crc.getValue());
    }
  }

  /** Writes {@code graph} to {@code target} atomically ({@link AtomicFiles}). */
  static void write(
      Path target,
      GraphView graph,
      Metric metric,
      int efConstruction,
      int dimension,
      long entryState,
      Tombstones tombstones)
      throws IOException {
    int n = graph.size();
    int m = graph.m();
    long upperNodes = 0;
    long upperBlocks = 0;
    for (int node = 0; node < n; node++) {
      int level = graph.level(node);
      if (level > 0) {
        upperNodes++;
        upperBlocks += level;
      }
    }
    boolean empty = entryState == EntryPoint.EMPTY;
    Header header =
        new Header(
            metric,
            m,
            efConstruction,
            dimension,
            n,
            empty ? -1 : EntryPoint.node(entryState),
            empty ? -1 : EntryPoint.level(entryState),
            upperNodes,
            upperBlocks,
            tombstones.count());
    AtomicFiles.write(
        target,
        channel -> {
          Output out = new Output(channel, HEADER_BYTES);
          for (int node = 0; node < n; node++) {
            out.putByte((byte) graph.level(node));
          }
          out.padTo(header.level0Offset());
          int[] ids = new int[2 * m];
          for (int node = 0; node < n; node++) {
            int count = graph.neighbors(node, 0, ids);
            out.putBlock(ids, count, 2 * m);
          }
          for (int node = 0; node < n; node++) {
            if (graph.level(node) > 0) {
              out.putInt(node);
            }
          }
          out.padTo(header.upperStartsOffset());
          long start = 0;
          for (int node = 0; node < n; node++) {
            int level = graph.level(node);
            if (level > 0) {
              out.putLong(start);
              start += level;
            }
          }
          for (int node = 0; node < n; node++) {
            int level = graph.level(node);
            for (int l = 1; l <= level; l++) {
              int count = graph.neighbors(node, l, ids);
              out.putBlock(ids, count, m);
            }
          }
          out.padTo(header.tombstonesOffset());
          for (long word : tombstones.words(n)) {
            out.putLong(word);
          }
          out.flush();
          if (out.position != header.fileSize()) {
            throw new IllegalStateException(
                target + ": wrote " + out.position + " bytes, layout says " + header.fileSize());
          }
          ByteBuffer head = ByteBuffer.allocate(HEADER_BYTES);
          header.write(head, (int) out.crc.getValue());
          head.rewind();
          long position = 0;
          while (head.hasRemaining()) {
            position += channel.write(head, position);
          }
        });
  }

  /** Buffered little-endian output that checksums everything after the header. */
  private static final class Output {
    final FileChannel channel;
    final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    final CRC32C crc = new CRC32C();
    long position;

    Output(FileChannel channel, long start) {
      this.channel = channel;
      this.position = start;
    }

    void ensure(int bytes) throws IOException {
      if (buffer.remaining() < bytes) {
        flush();
      }
    }

    void putByte(byte value) throws IOException {
      ensure(1);
      buffer.put(value);
      position++;
    }

    void putInt(int value) throws IOException {
      ensure(4);
      buffer.putInt(value);
      position += 4;
    }

    void putLong(long value) throws IOException {
      ensure(8);
      buffer.putLong(value);
      position += 8;
    }

    void putBlock(int[] ids, int count, int capacity) throws IOException {
      ensure((capacity + 1) * 4);
      buffer.putInt(count);
      for (int i = 0; i < capacity; i++) {
        buffer.putInt(i < count ? ids[i] : -1);
      }
      position += (capacity + 1) * 4L;
    }

    void padTo(long offset) throws IOException {
      while (position < offset) {
        putByte((byte) 0);
      }
    }

    void flush() throws IOException {
      buffer.flip();
      crc.update(buffer.duplicate());
      long at = position - buffer.remaining();
      while (buffer.hasRemaining()) {
        at += channel.write(buffer, at);
      }
      buffer.clear();
    }
  }

  /** Opens, validates and maps {@code file}; nothing of the graph is copied into the heap. */
  static MappedGraph open(Path file) throws IOException {
    return open(file, CHUNK_BYTES);
  }

  /** As {@link #open(Path)} with sections mapped in chunks of at most {@code chunkBytes}. */
  static MappedGraph open(Path file, long chunkBytes) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < HEADER_BYTES) {
        throw new HnswFormatException(
            file,
            "file size",
            "at least " + HEADER_BYTES + " bytes (the header)",
            size + " bytes (truncated)");
      }
      ByteBuffer head = ByteBuffer.allocate(HEADER_BYTES);
      long position = 0;
      while (head.hasRemaining()) {
        int read = channel.read(head, position);
        if (read < 0) {
          throw new HnswFormatException(file, "header", HEADER_BYTES + " bytes", position + "");
        }
        position += read;
      }
      head.flip();
      Header header = readHeader(head.order(ByteOrder.LITTLE_ENDIAN), file, size);
      CRC32C crc = new CRC32C();
      for (long at = HEADER_BYTES; at < size; at += CHUNK_BYTES) {
        long length = Math.min(CHUNK_BYTES, size - at);
        ByteBuffer chunk = channel.map(FileChannel.MapMode.READ_ONLY, at, length);
        crc.update(chunk);
        Mappings.unmap(chunk); // read once: the file's blocks are not held until a collection
      }
      int dataCrc = head.getInt(120);
      if ((int) crc.getValue() != dataCrc) {
        throw new HnswFormatException(
            file,
            "data checksum",
            String.format("CRC32C 0x%08X (from the header)", dataCrc),
            String.format("0x%08X: the file is corrupted", (int) crc.getValue()));
      }
      return MappedGraph.map(file, channel, header, chunkBytes);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "no such .hnsw file");
    } catch (HnswFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException(file + ": cannot map .hnsw file: " + e.getMessage(), e);
    }
  }

  private static Header readHeader(ByteBuffer le, Path file, long size) throws HnswFormatException {
    int magic = le.getInt(0);
    if (magic != MAGIC) {
      throw new HnswFormatException(
          file, "magic", String.format("0x%08X (\"HNSW\")", MAGIC), String.format("0x%08X", magic));
    }
    CRC32C crc = new CRC32C();
    crc.update(le.array(), 0, 124);
    int headerCrc = le.getInt(124);
    if ((int) crc.getValue() != headerCrc) {
      throw new HnswFormatException(
          file,
          "header checksum",
          String.format("CRC32C 0x%08X (stored)", headerCrc),
          String.format("0x%08X: the header is corrupted", (int) crc.getValue()));
    }
    int version = le.getInt(4);
    if (version != VERSION) {
      throw new HnswFormatException(
          file, "version", String.valueOf(VERSION), Integer.toUnsignedString(version));
    }
    int metricCode = le.getInt(8);
    if (metricCode < 0 || metricCode >= Metric.values().length) {
      throw new HnswFormatException(
          file, "metric", "0 (l2), 1 (cosine) or 2 (dot)", "" + metricCode);
    }
    int m = le.getInt(12);
    int efConstruction = le.getInt(16);
    int dimension = le.getInt(20);
    long nodes = le.getLong(24);
    if (m < HnswParameters.MIN_M || m > HnswParameters.MAX_M) {
      // the bounds of new indexes: a larger M came from a corrupt header or an early snapshot
      throw new HnswFormatException(
          file,
          "M",
          HnswParameters.MIN_M + " to " + HnswParameters.MAX_M + " (rebuild the index if larger)",
          "" + m);
    }
    if (efConstruction < 1
        || efConstruction > HnswParameters.MAX_EF_CONSTRUCTION
        || dimension < 1) {
      throw new HnswFormatException(
          file, "efConstruction/dimension", "positive values", efConstruction + "/" + dimension);
    }
    if (nodes < 0 || nodes > Integer.MAX_VALUE) {
      throw new HnswFormatException(file, "num_nodes", "0 to " + Integer.MAX_VALUE, "" + nodes);
    }
    long upperNodes = le.getLong(40);
    long upperBlocks = le.getLong(48);
    long deleted = le.getLong(56);
    if (upperNodes < 0
        || upperNodes > nodes
        || upperBlocks < upperNodes
        || upperBlocks > upperNodes * GraphBuilder.MAX_LEVEL
        || deleted < 0
        || deleted > nodes) {
      throw new HnswFormatException(
          file,
          "counts",
          "upper nodes ≤ nodes, upper nodes ≤ upper blocks ≤ 31 × upper nodes, deleted ≤ nodes",
          "nodes "
              + nodes
              + ", upper nodes "
              + upperNodes
              + ", upper blocks "
              + upperBlocks
              + ", deleted "
              + deleted);
    }
    int entry = le.getInt(32);
    int maxLevel = le.getInt(36);
    boolean consistentEntry =
        nodes == 0
            ? entry == -1 && maxLevel == -1
            : entry >= 0 && entry < nodes && maxLevel >= 0 && maxLevel <= GraphBuilder.MAX_LEVEL;
    if (!consistentEntry) {
      throw new HnswFormatException(
          file,
          "entry point",
          nodes == 0 ? "-1 with level -1 for an empty graph" : "a node in [0, " + nodes + ")",
          entry + " at level " + maxLevel);
    }
    Header header =
        new Header(
            Metric.values()[metricCode],
            m,
            efConstruction,
            dimension,
            nodes,
            entry,
            maxLevel,
            upperNodes,
            upperBlocks,
            deleted);
    long[] stored = {
      le.getLong(64),
      le.getLong(72),
      le.getLong(80),
      le.getLong(88),
      le.getLong(96),
      le.getLong(104)
    };
    long[] expected = {
      header.levelsOffset(),
      header.level0Offset(),
      header.upperNodesOffset(),
      header.upperStartsOffset(),
      header.upperOffset(),
      header.tombstonesOffset()
    };
    String[] names = {"levels", "level0", "upper_nodes", "upper_starts", "upper", "tombstones"};
    for (int i = 0; i < stored.length; i++) {
      if (stored[i] != expected[i]) {
        throw new HnswFormatException(
            file, names[i] + "_offset", String.valueOf(expected[i]), String.valueOf(stored[i]));
      }
    }
    long storedSize = le.getLong(112);
    if (storedSize != header.fileSize() || size != header.fileSize()) {
      String detail =
          size < header.fileSize()
              ? " (truncated: " + (header.fileSize() - size) + " bytes missing)"
              : size > header.fileSize()
                  ? " (" + (size - header.fileSize()) + " trailing bytes)"
                  : "";
      throw new HnswFormatException(
          file,
          "file size",
          header.fileSize() + " bytes (from the header counts; header says " + storedSize + ")",
          size + " bytes" + detail);
    }
    return header;
  }
}
