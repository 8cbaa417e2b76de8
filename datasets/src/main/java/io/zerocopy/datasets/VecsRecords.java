package io.zerocopy.datasets;

import io.zerocopy.engine.store.AtomicFiles;
import io.zerocopy.engine.store.VecHeader;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the records shared by {@code .fvecs} and {@code .ivecs}: a little-endian int32 dimension,
 * then that many 4-byte little-endian values. Every record must have the first record's dimension,
 * and every record must fit in the bytes left in the file, checked before its payload is read.
 */
final class VecsRecords implements AutoCloseable {

  private static final int BUFFER_BYTES = 1 << 20;

  private final Path file;
  private final String kind;
  private final FileChannel channel;
  private final long fileSize;
  private final ByteBuffer buffer;
  private long position;
  private long record;
  private int dimension = -1;

  private VecsRecords(Path file, String kind, FileChannel channel, long fileSize) {
    this.file = file;
    this.kind = kind;
    this.channel = channel;
    this.fileSize = fileSize;
    this.buffer = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.limit(0);
  }

  /** Opens {@code file}; {@code kind} ("fvecs" or "ivecs") only appears in messages. */
  static VecsRecords open(Path file, String kind) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = channel.size();
      if (size == 0) {
        throw new DatasetFormatException(
            file, "file size", "at least one ." + kind + " record", "an empty file");
      }
      return new VecsRecords(file, kind, channel, size);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Reads the dimension of the next record and checks it against the file, or returns -1 at the end
   * of the file. The payload must then be consumed with {@link #readPayload}.
   */
  int nextDimension() throws IOException {
    if (position == fileSize) {
      return -1;
    }
    long left = fileSize - position;
    if (left < Integer.BYTES) {
      throw new DatasetFormatException(
          file,
          "record " + record + " at byte " + position,
          "a 4-byte dimension",
          "only " + left + " trailing bytes (truncated record)");
    }
    int d = buffered(Integer.BYTES).getInt();
    position += Integer.BYTES;
    if (dimension < 0) {
      if (d < 1 || d > VecHeader.MAX_DIMENSION) {
        throw new DatasetFormatException(
            file,
            "record 0 dimension",
            "1 to " + VecHeader.MAX_DIMENSION,
            Integer.toUnsignedString(d));
      }
      dimension = d;
    } else if (d != dimension) {
      throw new DatasetFormatException(
          file,
          "record " + record + " at byte " + (position - Integer.BYTES),
          "dimension " + dimension + " (as in record 0)",
          "dimension " + Integer.toUnsignedString(d));
    }
    long payload = (long) d * Integer.BYTES;
    if (payload > fileSize - position) {
      throw new DatasetFormatException(
          file,
          "record " + record + " at byte " + (position - Integer.BYTES),
          payload + " bytes of " + d + " values",
          (fileSize - position) + " bytes left (truncated record)");
    }
    return d;
  }

  /** The dimension of record 0, once read; -1 before. */
  int dimension() {
    return dimension;
  }

  /** Records fully read so far. */
  long records() {
    return record;
  }

  /** Reads the payload of the record whose dimension was just returned as floats. */
  void readPayload(float[] dst) throws IOException {
    int i = 0;
    while (i < dst.length) {
      ByteBuffer in = buffered(Float.BYTES);
      int n = Math.min(dst.length - i, in.remaining() / Float.BYTES);
      in.asFloatBuffer().get(dst, i, n);
      in.position(in.position() + n * Float.BYTES);
      i += n;
    }
    position += (long) dst.length * Float.BYTES;
    record++;
  }

  /** Reads the payload of the record whose dimension was just returned as ints. */
  void readPayload(int[] dst) throws IOException {
    int i = 0;
    while (i < dst.length) {
      ByteBuffer in = buffered(Integer.BYTES);
      int n = Math.min(dst.length - i, in.remaining() / Integer.BYTES);
      in.asIntBuffer().get(dst, i, n);
      in.position(in.position() + n * Integer.BYTES);
      i += n;
    }
    position += (long) dst.length * Integer.BYTES;
    record++;
  }

  /** The buffer with at least {@code bytes} readable bytes. */
  private ByteBuffer buffered(int bytes) throws IOException {
    if (buffer.remaining() < bytes) {
      buffer.compact();
      while (buffer.position() < bytes) {
        if (channel.read(buffer) < 0) {
          buffer.flip();
          throw new EOFException(
              file + ": record " + record + ": file ended early (it shrank while being read?)");
        }
      }
      buffer.flip();
    }
    return buffer;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /**
   * Writes through a temporary file beside {@code target}, fsyncs and renames it into place, as the
   * {@code .vec} writer does: a failed export never leaves a partial file.
   */
  static final class AtomicOutput implements AutoCloseable {
    private final Path target;
    private final Path temporary;
    private final FileChannel channel;
    private ByteBuffer buffer;
    private boolean committed;

    AtomicOutput(Path target) throws IOException {
      this.target = target;
      this.temporary = AtomicFiles.temporaryFor(target);
      this.channel =
          FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      this.buffer = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The buffer with room for at least {@code bytes}; flushes when needed. */
    ByteBuffer room(int bytes) throws IOException {
      if (buffer.remaining() < bytes) {
        flush();
        if (buffer.capacity() < bytes) {
          buffer = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
      }
      return buffer;
    }

    private void flush() throws IOException {
      buffer.flip();
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      buffer.clear();
    }

    void commit() throws IOException {
      flush();
      channel.force(true);
      channel.close();
      AtomicFiles.moveIntoPlace(temporary, target);
      committed = true;
    }

    @Override
    public void close() throws IOException {
      if (!committed) {
        try {
          channel.close();
        } finally {
          Files.deleteIfExists(temporary);
        }
      }
    }
  }
}
