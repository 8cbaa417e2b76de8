package io.zerocopy.engine.codes;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.Mappings;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The codes section of a codes file ({@link Int8Codes}, {@link PqCodes}): {@code count} rows of
 * {@code width} bytes mapped read-only in chunks (a ByteBuffer cannot exceed 2 GiB), and the file
 * helpers both kinds share. Safe for concurrent reads.
 */
final class CodeRows {

  /** Target bytes per mapped chunk. */
  static final long CHUNK_BYTES = 1L << 30;

  private final Path path;
  private final long count;
  private final int width;
  private final int rowsPerChunk;
  private volatile ByteBuffer[] chunks;

  private CodeRows(Path path, long count, int width, int rowsPerChunk, ByteBuffer[] chunks) {
    this.path = path;
    this.count = count;
    this.width = width;
    this.rowsPerChunk = rowsPerChunk;
    this.chunks = chunks;
  }

  /**
   * Maps {@code count} rows of {@code width} bytes from {@code offset}, adding them to {@code crc}.
   */
  static CodeRows map(
      FileChannel channel, Path path, long offset, long count, int width, CRC32C crc)
      throws IOException {
    int rowsPerChunk = (int) Math.max(1, Math.min(count, CHUNK_BYTES / width));
    long chunkCount = count == 0 ? 0 : (count + rowsPerChunk - 1) / rowsPerChunk;
    ByteBuffer[] chunks = new ByteBuffer[Math.toIntExact(chunkCount)];
    for (int c = 0; c < chunks.length; c++) {
      long first = (long) c * rowsPerChunk;
      long rows = Math.min(rowsPerChunk, count - first);
      chunks[c] =
          channel
              .map(FileChannel.MapMode.READ_ONLY, offset + first * width, rows * width)
              .order(ByteOrder.LITTLE_ENDIAN);
      crc.update(chunks[c].duplicate());
    }
    return new CodeRows(path, count, width, rowsPerChunk, chunks);
  }

  /** Copies row {@code id} into {@code dst} at {@code offset}. */
  void read(long id, byte[] dst, int offset) {
    checkId(id);
    ByteBuffer[] mapped = chunks;
    if (mapped == null) {
      throw new IllegalStateException(path + ": codes are closed");
    }
    try {
      if (mapped.length == 1) {
        mapped[0].get((int) id * width, dst, offset, width);
      } else {
        mapped[(int) (id / rowsPerChunk)].get(
            (int) (id % rowsPerChunk) * width, dst, offset, width);
      }
    } catch (InternalError e) {
      throw mappingFault();
    }
  }

  /**
   * The mapped chunks, for reads in place: row {@code id} is at byte {@code (id % rowsPerChunk) *
   * width} of chunk {@code id / rowsPerChunk} ({@link #rowsPerChunk}); throws once closed.
   */
  ByteBuffer[] chunks() {
    ByteBuffer[] mapped = chunks;
    if (mapped == null) {
      throw new IllegalStateException(path + ": codes are closed");
    }
    return mapped;
  }

  int rowsPerChunk() {
    return rowsPerChunk;
  }

  /** The error a read gets when a page of the mapping faulted (the file shrank under it). */
  UncheckedIOException mappingFault() {
    return new UncheckedIOException(
        new IOException(path + ": a mapped page faulted: the file was truncated while mapped"));
  }

  /** Row {@code id} of rows of 2 bytes, as a little-endian short. */
  short readShort(long id) {
    checkId(id);
    ByteBuffer[] mapped = chunks;
    if (mapped == null) {
      throw new IllegalStateException(path + ": codes are closed");
    }
    try {
      return mapped.length == 1
          ? mapped[0].getShort((int) id * width)
          : mapped[(int) (id / rowsPerChunk)].getShort((int) (id % rowsPerChunk) * width);
    } catch (InternalError e) {
      throw mappingFault();
    }
  }

  /** Loads the first byte of each row {@code ids[0, count)}: see {@link QuantizedCodes#touch}. */
  int touch(int[] ids, int count) {
    ByteBuffer[] mapped = chunks;
    if (mapped == null) {
      throw new IllegalStateException(path + ": codes are closed");
    }
    for (int i = 0; i < count; i++) {
      checkId(ids[i]);
    }
    int sum = 0;
    if (mapped.length == 1) {
      ByteBuffer rows = mapped[0];
      for (int i = 0; i < count; i++) {
        sum += rows.get(ids[i] * width); // one chunk holds under 2 GiB: the product fits an int
      }
    } else {
      for (int i = 0; i < count; i++) {
        sum += mapped[ids[i] / rowsPerChunk].get((ids[i] % rowsPerChunk) * width);
      }
    }
    return sum;
  }

  void checkId(long id) {
    if (id < 0 || id >= count) {
      throw new IndexOutOfBoundsException(
          path + ": vector id " + id + " outside [0, " + count + ")");
    }
  }

  /** Advises the kernel that rows are read at random ({@link Mappings#adviseRandom}). */
  boolean adviseRandomAccess() {
    ByteBuffer[] mapped = chunks;
    return mapped != null && Mappings.adviseRandom(java.util.Arrays.asList(mapped));
  }

  /** Releases the mapping for the collector; any later read fails. */
  void close() {
    // as VectorStore: unmapping while another thread reads would crash the JVM
    chunks = null;
  }

  /**
   * Reads and checks the 64-byte header every codes file starts with: the file's size, {@code
   * magic} at 0, the CRC32C of bytes [0, 60) stored at 60, then {@code version} at 4; an error
   * names the file, the {@code kind} (".i8", ".pq") and the field.
   */
  static ByteBuffer header(FileChannel channel, Path path, String kind, int magic, int version)
      throws IOException {
    return header(channel, path, kind, magic, version, version);
  }

  /** As above, for a kind whose readers accept versions {@code oldest} to {@code newest}. */
  static ByteBuffer header(
      FileChannel channel, Path path, String kind, int magic, int oldest, int newest)
      throws IOException {
    long size = channel.size();
    if (size < 64) {
      throw invalid(path, kind, "file size", "at least 64 bytes", size + " bytes");
    }
    ByteBuffer header = ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    readFully(channel, header, 0);
    int found = header.getInt(0);
    if (found != magic) {
      throw invalid(
          path, kind, "magic", String.format("0x%08X", magic), String.format("0x%08X", found));
    }
    int headerCrc = crc(header.duplicate().position(0).limit(60));
    if (headerCrc != header.getInt(60)) {
      throw invalid(
          path,
          kind,
          "header checksum",
          String.format("CRC32C 0x%08X (stored)", header.getInt(60)),
          String.format("0x%08X: the header is corrupted", headerCrc));
    }
    int stored = header.getInt(4);
    if (stored < oldest || stored > newest) {
      String expected = oldest == newest ? "" + oldest : oldest + " to " + newest;
      throw invalid(path, kind, "version", expected, "" + stored);
    }
    return header;
  }

  /** Checks a stored CRC32C against the one computed; an error names the section. */
  static void checkCrc(Path path, String kind, String section, int stored, int computed)
      throws CodesFormatException {
    if (stored != computed) {
      throw invalid(
          path,
          kind,
          section + " checksum",
          String.format("CRC32C 0x%08X (stored)", stored),
          String.format("0x%08X: the file is corrupted", computed));
    }
  }

  static void expect(Path path, String kind, String field, long expected, long found)
      throws CodesFormatException {
    if (expected != found) {
      throw invalid(path, kind, field, String.valueOf(expected), String.valueOf(found));
    }
  }

  static CodesFormatException invalid(
      Path path, String kind, String field, String expected, String found) {
    return new CodesFormatException(
        path + ": invalid " + kind + " " + field + ": expected " + expected + ", found " + found);
  }

  /** {@code codes} if they code {@code store}'s vectors; else closes them and names both files. */
  static <C extends QuantizedCodes> C checkStore(C codes, VectorStore store, String kind)
      throws CodesFormatException {
    if (codes.size() != store.size() || codes.dimension() != store.dimension()) {
      codes.close();
      throw invalid(
          codes.path(),
          kind,
          "count × dimension",
          store.size() + " × " + store.dimension() + " (as " + store.path() + ")",
          codes.size() + " × " + codes.dimension());
    }
    return codes;
  }

  /** Checks a query and its prepared buffer against {@code codes}, naming the codes file. */
  static void checkQuery(QuantizedCodes codes, float[] query, Metric metric, float[] prepared) {
    if (query.length != codes.dimension() || prepared.length != codes.preparedLength()) {
      throw new IllegalArgumentException(
          "query has dimension "
              + query.length
              + ", but "
              + codes.path()
              + " has "
              + codes.dimension());
    }
    if ((metric == Metric.COSINE) != codes.unitVectors()) {
      throw new IllegalArgumentException(
          codes.path()
              + ": codes of "
              + (codes.unitVectors() ? "unit-length vectors (a cosine index)" : "vectors as stored")
              + " cannot score the "
              + metric
              + " metric");
    }
  }

  static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
    while (into.hasRemaining()) {
      int read = channel.read(into, position + into.position());
      if (read < 0) {
        throw new IOException("unexpected end of file at byte " + (position + into.position()));
      }
    }
    into.flip();
  }

  static void writeFully(FileChannel channel, ByteBuffer bytes, long position) throws IOException {
    while (bytes.hasRemaining()) {
      position += channel.write(bytes, position);
    }
  }

  static int crc(ByteBuffer bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }

  /** Vector {@code id} of {@code store}, scaled to unit length if asked (a zero vector stays). */
  static void readVector(VectorStore store, long id, float[] vector, boolean unitVectors) {
    store.read(id, vector, 0);
    if (unitVectors) {
      scaleToUnit(vector);
    }
  }

  /** Scales {@code vector} to unit length in place; a zero vector stays. */
  static void scaleToUnit(float[] vector) {
    double squared = 0;
    for (float v : vector) {
      squared += (double) v * v;
    }
    if (squared > 0) {
      double scale = 1 / Math.sqrt(squared);
      for (int i = 0; i < vector.length; i++) {
        vector[i] = (float) (vector[i] * scale);
      }
    }
  }
}
