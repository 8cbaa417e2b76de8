package io.zerocopy.engine.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The 32-byte header of a {@code .vec} file (DESIGN.md): magic, version, count, dimension, padding,
 * 8 reserved bytes; all little-endian.
 */
public record VecHeader(long count, int dimension) {

  public static final int BYTES = 32;
  public static final int MAGIC = 0x56454354;

  /** The magic as a little-endian int when a writer stored the bytes "VECT" in text order. */
  static final int MAGIC_TEXT_ORDER = Integer.reverseBytes(MAGIC);

  public static final int VERSION = 1;

  /**
   * The value of the padding field (offset 20) while an in-place append runs. The count stays the
   * commit point: a file so marked may hold uncommitted bytes after its last counted vector (an
   * append that crashed), which readers ignore and the next append truncates. Without the mark, the
   * size must be exact.
   */
  static final int APPENDING = 0x444E5041; // "APND"

  /** Largest dimension we accept: keeps one vector well inside a mapped chunk. */
  public static final int MAX_DIMENSION = 1 << 20;

  public VecHeader {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    if (dimension < 1 || dimension > MAX_DIMENSION) {
      throw new IllegalArgumentException(
          "dimension must be in [1, " + MAX_DIMENSION + "], got " + dimension);
    }
    if (count > (Long.MAX_VALUE - BYTES) / bytesPerVector(dimension)) {
      throw new IllegalArgumentException(
          "count " + count + " × dimension " + dimension + " overflows a file size");
    }
  }

  static long bytesPerVector(int dimension) {
    return (long) dimension * Float.BYTES;
  }

  /** Bytes of one vector. */
  public long vectorBytes() {
    return bytesPerVector(dimension);
  }

  /** The exact size a file with this header must have. */
  public long fileSize() {
    return BYTES + count * vectorBytes();
  }

  /** Writes the header into {@code out} at its position (32 bytes). */
  public void write(ByteBuffer out) {
    write(out, false);
  }

  /** Writes the header, marked as being appended to if {@code appending}. */
  void write(ByteBuffer out, boolean appending) {
    ByteBuffer le = out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    le.putInt(MAGIC).putInt(VERSION).putLong(count).putInt(dimension);
    le.putInt(appending ? APPENDING : 0).putLong(0L);
    out.position(out.position() + BYTES);
  }

  /** Whether the header at {@code in}'s position carries the {@link #APPENDING} mark. */
  static boolean appending(ByteBuffer in) {
    return in.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(in.position() + 20) == APPENDING;
  }

  /**
   * Reads and validates a header against the actual file size; every failure names the file, the
   * field, what was expected and what was found. Bytes after the last counted vector are accepted
   * only in a file marked {@link #APPENDING}; a file shorter than its count is always rejected.
   */
  public static VecHeader read(ByteBuffer in, Path file, long fileSize) throws VecFormatException {
    if (fileSize < BYTES) {
      throw new VecFormatException(
          file, "file size", "at least " + BYTES + " bytes (the header)", fileSize + " bytes");
    }
    ByteBuffer le = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int magic = le.getInt();
    if (magic != MAGIC && magic != MAGIC_TEXT_ORDER) {
      throw new VecFormatException(
          file, "magic", String.format("0x%08X (\"VECT\")", MAGIC), String.format("0x%08X", magic));
    }
    int version = le.getInt();
    if (version != VERSION) {
      throw new VecFormatException(
          file, "version", String.valueOf(VERSION), Integer.toUnsignedString(version));
    }
    long count = le.getLong();
    int dimension = le.getInt();
    if (dimension == 0 || Integer.compareUnsigned(dimension, MAX_DIMENSION) > 0) {
      throw new VecFormatException(
          file, "dimension", "1 to " + MAX_DIMENSION, Integer.toUnsignedString(dimension));
    }
    if (count < 0 || count > (Long.MAX_VALUE - BYTES) / bytesPerVector(dimension)) {
      throw new VecFormatException(
          file,
          "num_vectors",
          "a count whose data fits in a file (× dimension " + dimension + " × 4 bytes)",
          Long.toUnsignedString(count));
    }
    VecHeader header = new VecHeader(count, dimension);
    boolean uncommittedTail = fileSize > header.fileSize() && appending(in);
    if (header.fileSize() != fileSize && !uncommittedTail) {
      String detail =
          fileSize < header.fileSize()
              ? " (truncated: " + (header.fileSize() - fileSize) + " bytes missing)"
              : " (" + (fileSize - header.fileSize()) + " trailing bytes)";
      throw new VecFormatException(
          file,
          "file size",
          header.fileSize() + " bytes (32 + " + count + " vectors × " + dimension + " dims × 4)",
          fileSize + " bytes" + detail);
    }
    return header;
  }
}
