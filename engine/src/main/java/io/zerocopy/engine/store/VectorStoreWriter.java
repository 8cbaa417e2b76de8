package io.zerocopy.engine.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Streams vectors into a new {@code .vec} file: appends go through a small buffer to a temporary
 * file beside the target; {@link #commit()} writes the final count, fsyncs and renames it into
 * place atomically. Closing without a commit deletes the temporary file, so a failed or abandoned
 * write never leaves a partial {@code .vec} file. Not thread-safe.
 *
 * <p>A process killed before the rename leaves its temporary file, {@code .<name>.<uuid>.tmp}:
 * hidden, never opened by readers (they open exact names), and not removed by later writers, which
 * cannot tell a dead writer's file from a running one's.
 */
public final class VectorStoreWriter implements AutoCloseable {

  private static final int BUFFER_BYTES = 1 << 20;

  private final Path target;
  private final Path temporary;
  private final int dimension;
  private final FileChannel channel;
  private final ByteBuffer buffer;
  private final FloatBuffer floats;
  private long count;
  private boolean finished;

  private VectorStoreWriter(Path target, Path temporary, int dimension, FileChannel channel) {
    this.target = target;
    this.temporary = temporary;
    this.dimension = dimension;
    this.channel = channel;
    int vectorBytes = dimension * Float.BYTES;
    int capacity = Math.max(vectorBytes, BUFFER_BYTES / vectorBytes * vectorBytes);
    this.buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
    this.floats = buffer.asFloatBuffer();
  }

  /** Starts a new file for vectors of {@code dimension} floats; nothing appears at target yet. */
  public static VectorStoreWriter create(Path target, int dimension) throws IOException {
    if (dimension < 1 || dimension > VecHeader.MAX_DIMENSION) {
      throw new IllegalArgumentException(
          target + ": dimension must be in [1, " + VecHeader.MAX_DIMENSION + "], got " + dimension);
    }
    Path temporary = AtomicFiles.temporaryFor(target);
    FileChannel channel =
        FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      // placeholder header with count 0; commit() writes the real count
      ByteBuffer header = ByteBuffer.allocate(VecHeader.BYTES);
      new VecHeader(0, dimension).write(header);
      header.flip();
      writeFully(channel, header, 0);
      channel.position(VecHeader.BYTES);
    } catch (IOException | RuntimeException e) {
      channel.close();
      Files.deleteIfExists(temporary);
      throw e;
    }
    return new VectorStoreWriter(target, temporary, dimension, channel);
  }

  /** Floats per vector. */
  public int dimension() {
    return dimension;
  }

  /** Vectors appended so far. */
  public long count() {
    return count;
  }

  /** Appends one vector. */
  public void append(float[] vector) throws IOException {
    checkOpen();
    if (vector == null) {
      throw new IllegalArgumentException(target + ": vector " + count + " is null");
    }
    checkVector(vector, 0, count, vector.length);
    put(vector, 0, 1);
  }

  /** Appends a batch of vectors, checking each before any is written. */
  public void append(float[][] vectors) throws IOException {
    checkOpen();
    for (int row = 0; row < vectors.length; row++) {
      float[] vector = vectors[row];
      if (vector == null) {
        throw new IllegalArgumentException(target + ": vector " + (count + row) + " is null");
      }
      checkVector(vector, 0, count + row, vector.length);
    }
    for (float[] vector : vectors) {
      put(vector, 0, 1);
    }
  }

  /**
   * Appends {@code vectors} consecutive vectors stored row-major in {@code flat} from {@code
   * offset}: the bulk path for callers that already hold a float matrix.
   */
  public void append(float[] flat, int offset, int vectors) throws IOException {
    checkOpen();
    if (flat == null) {
      throw new IllegalArgumentException(target + ": vector data is null");
    }
    long floatsNeeded = (long) vectors * dimension;
    if (vectors < 0 || offset < 0 || offset + floatsNeeded > flat.length) {
      throw new IllegalArgumentException(
          target
              + ": expected "
              + vectors
              + " vectors of dimension "
              + dimension
              + " ("
              + floatsNeeded
              + " floats) from offset "
              + offset
              + ", but the array holds "
              + flat.length
              + " floats");
    }
    for (int row = 0; row < vectors; row++) {
      checkVector(flat, offset + row * dimension, count + row, dimension);
    }
    put(flat, offset, vectors);
  }

  private void checkVector(float[] data, int offset, long row, int length) {
    if (length != dimension) {
      throw new IllegalArgumentException(
          target + ": vector " + row + " has dimension " + length + ", expected " + dimension);
    }
    for (int i = 0; i < dimension; i++) {
      float value = data[offset + i];
      if (!Float.isFinite(value)) {
        throw new IllegalArgumentException(
            target + ": vector " + row + " has a non-finite value " + value + " at index " + i);
      }
    }
  }

  private void put(float[] data, int offset, int vectors) throws IOException {
    int remaining = vectors * dimension;
    while (remaining > 0) {
      if (!floats.hasRemaining()) {
        flush();
      }
      int n = Math.min(remaining, floats.remaining());
      floats.put(data, offset, n);
      offset += n;
      remaining -= n;
    }
    count += vectors;
  }

  private void flush() throws IOException {
    buffer.limit(floats.position() * Float.BYTES).position(0);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
    floats.clear();
  }

  /** Writes the final header, fsyncs and atomically renames the file into place. */
  public void commit() throws IOException {
    checkOpen();
    try {
      flush();
      ByteBuffer header = ByteBuffer.allocate(VecHeader.BYTES);
      new VecHeader(count, dimension).write(header);
      header.flip();
      writeFully(channel, header, 0);
      channel.force(true);
      channel.close();
      AtomicFiles.moveIntoPlace(temporary, target);
      finished = true;
    } finally {
      if (!finished) {
        abort();
      }
    }
  }

  /** Drops everything written; the target is left as it was. */
  public void abort() throws IOException {
    finished = true;
    try {
      channel.close();
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** Aborts unless {@link #commit()} succeeded. */
  @Override
  public void close() throws IOException {
    if (!finished) {
      abort();
    }
  }

  private void checkOpen() {
    if (finished) {
      throw new IllegalStateException(target + ": writer already committed or aborted");
    }
  }

  /**
   * Appends {@code vectors} to the end of the existing {@code .vec} file at {@code path} in place.
   * The header count is the commit point: the header is first marked {@link VecHeader#APPENDING}
   * (fsync), any uncommitted tail of an earlier crashed append is cut off, the vectors are written
   * after the last counted one (fsync), then the new count is written with the mark cleared
   * (fsync). A crash at any point leaves a file that opens with either the old or the new count.
   * Readers that mapped the file before keep seeing the old vectors (mappings start after the
   * header and nothing before the old end changes); a reader opened afterwards sees the new count.
   * Returns the new count.
   */
  static long appendInPlace(Path path, float[][] vectors) throws IOException {
    if (vectors == null) {
      throw new IllegalArgumentException(path + ": vectors must not be null");
    }
    try (FileChannel channel =
        FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      java.nio.channels.FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new IOException(path + ": another process is writing this .vec file");
      }
      try {
        long fileSize = channel.size();
        ByteBuffer headerBytes = ByteBuffer.allocate(VecHeader.BYTES);
        while (headerBytes.hasRemaining()
            && channel.read(headerBytes, headerBytes.position()) >= 0) {
          // read the whole header, or hit the end of a short file
        }
        headerBytes.flip();
        VecHeader old = VecHeader.read(headerBytes, path, fileSize);
        int dimension = old.dimension();
        for (int row = 0; row < vectors.length; row++) {
          float[] vector = vectors[row];
          if (vector == null) {
            throw new IllegalArgumentException(
                path + ": vector " + (old.count() + row) + " is null");
          }
          if (vector.length != dimension) {
            throw new IllegalArgumentException(
                path
                    + ": vector "
                    + (old.count() + row)
                    + " has dimension "
                    + vector.length
                    + ", expected "
                    + dimension);
          }
          for (int i = 0; i < dimension; i++) {
            if (!Float.isFinite(vector[i])) {
              throw new IllegalArgumentException(
                  path
                      + ": vector "
                      + (old.count() + row)
                      + " has a non-finite value "
                      + vector[i]
                      + " at index "
                      + i);
            }
          }
        }
        if (vectors.length == 0) {
          return old.count();
        }
        VecHeader updated = new VecHeader(old.count() + vectors.length, dimension);
        if (!VecHeader.appending(headerBytes)) {
          writeHeader(channel, old, true);
        }
        // an append that crashed after writing vectors but before its count left them here
        if (fileSize > old.fileSize()) {
          channel.truncate(old.fileSize());
        }
        int vectorBytes = dimension * Float.BYTES;
        ByteBuffer buffer =
            ByteBuffer.allocateDirect(
                    Math.max(vectorBytes, BUFFER_BYTES / vectorBytes * vectorBytes))
                .order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = buffer.asFloatBuffer();
        long position = old.fileSize();
        for (float[] vector : vectors) {
          if (floats.remaining() < dimension) {
            buffer.limit(floats.position() * Float.BYTES).position(0);
            position += writeAll(channel, buffer, position);
            buffer.clear();
            floats.clear();
          }
          floats.put(vector);
        }
        buffer.limit(floats.position() * Float.BYTES).position(0);
        writeAll(channel, buffer, position);
        channel.force(true);
        writeHeader(channel, updated, false);
        return updated.count();
      } finally {
        if (lock.isValid()) {
          lock.release();
        }
      }
    } catch (java.nio.file.NoSuchFileException e) {
      throw new java.nio.file.NoSuchFileException(path.toString(), null, "no such .vec file");
    }
  }

  private static void writeHeader(FileChannel channel, VecHeader header, boolean appending)
      throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(VecHeader.BYTES);
    header.write(bytes, appending);
    bytes.flip();
    writeFully(channel, bytes, 0);
    channel.force(true);
  }

  private static long writeAll(FileChannel channel, ByteBuffer bytes, long position)
      throws IOException {
    long written = 0;
    while (bytes.hasRemaining()) {
      written += channel.write(bytes, position + written);
    }
    return written;
  }

  static void writeFully(FileChannel channel, ByteBuffer bytes, long position) throws IOException {
    while (bytes.hasRemaining()) {
      position += channel.write(bytes, position);
    }
  }
}
