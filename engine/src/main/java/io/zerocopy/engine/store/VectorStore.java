package io.zerocopy.engine.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A {@code .vec} file mapped read-only. Vectors stay in the page cache, never in the heap: reads
 * copy one vector or one block into a caller's buffer. Safe for concurrent reads from any number of
 * threads; files over 2 GiB are mapped as several chunks, none splitting a vector.
 */
public final class VectorStore implements AutoCloseable {

  /** Target bytes per mapped chunk; a ByteBuffer cannot exceed 2 GiB. */
  static final long CHUNK_BYTES = 1L << 30;

  private final Path path;
  private final VecHeader header;
  private final int vectorsPerChunk;
  private volatile FloatBuffer[] chunks;
  private final ByteBuffer[] mappings;

  private VectorStore(
      Path path,
      VecHeader header,
      FloatBuffer[] chunks,
      ByteBuffer[] mappings,
      int vectorsPerChunk) {
    this.path = path;
    this.header = header;
    this.chunks = chunks;
    this.mappings = mappings;
    this.vectorsPerChunk = vectorsPerChunk;
  }

  /** Writes {@code vectors} to a new {@code .vec} file at {@code path}, atomically. */
  public static void create(Path path, float[][] vectors) throws IOException {
    if (vectors == null || vectors.length == 0) {
      throw new IllegalArgumentException(
          path + ": cannot create a store from no vectors: the dimension would be unknown");
    }
    if (vectors[0] == null) {
      throw new IllegalArgumentException(path + ": vector 0 is null");
    }
    try (VectorStoreWriter writer = VectorStoreWriter.create(path, vectors[0].length)) {
      writer.append(vectors);
      writer.commit();
    }
  }

  /**
   * Appends {@code vectors} to the existing {@code .vec} file at {@code path}, in place, durably
   * and atomically: the vectors are written after the last one and fsynced, then the header count
   * (the commit point) is rewritten and fsynced; a crash in between leaves the old count, and the
   * next append drops the uncommitted bytes. Stores already open on the file keep working with
   * their old count; open the file again to see the new vectors. Returns the new number of vectors.
   */
  public static long append(Path path, float[][] vectors) throws IOException {
    return VectorStoreWriter.appendInPlace(path, vectors);
  }

  /** Maps an existing {@code .vec} file after validating its header against its size. */
  public static VectorStore open(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      // An append in another thread or process changes the size, then the header (its commit
      // point): a size is only valid with a header that read the same before and after it.
      ByteBuffer headerBytes = readHeader(channel);
      long fileSize = channel.size();
      for (int attempt = 0; attempt < 100; attempt++) {
        ByteBuffer again = readHeader(channel);
        if (again.equals(headerBytes)) {
          break;
        }
        headerBytes = again;
        fileSize = channel.size();
      }
      VecHeader header = VecHeader.read(headerBytes, path, fileSize);
      int vectorsPerChunk = (int) Math.max(1, CHUNK_BYTES / header.vectorBytes());
      long chunkCount = (header.count() + vectorsPerChunk - 1) / vectorsPerChunk;
      FloatBuffer[] chunks = new FloatBuffer[Math.toIntExact(chunkCount)];
      ByteBuffer[] mappings = new ByteBuffer[chunks.length];
      for (int c = 0; c < chunks.length; c++) {
        long firstVector = (long) c * vectorsPerChunk;
        long vectors = Math.min(vectorsPerChunk, header.count() - firstVector);
        long position = VecHeader.BYTES + firstVector * header.vectorBytes();
        mappings[c] =
            channel
                .map(FileChannel.MapMode.READ_ONLY, position, vectors * header.vectorBytes())
                .order(ByteOrder.LITTLE_ENDIAN);
        chunks[c] = mappings[c].asFloatBuffer();
      }
      return new VectorStore(path, header, chunks, mappings, vectorsPerChunk);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(path.toString(), null, "no such .vec file");
    } catch (VecFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException(path + ": cannot map .vec file: " + e.getMessage(), e);
    }
  }

  private static ByteBuffer readHeader(FileChannel channel) throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(VecHeader.BYTES);
    while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) >= 0) {
      // read the whole header, or hit the end of a short file
    }
    return bytes.flip();
  }

  /** Number of vectors. */
  public long size() {
    return header.count();
  }

  /** Floats per vector. */
  public int dimension() {
    return header.dimension();
  }

  /** The file this store maps. */
  public Path path() {
    return path;
  }

  /** A copy of vector {@code id}. */
  public float[] get(long id) {
    float[] vector = new float[header.dimension()];
    read(id, vector, 0);
    return vector;
  }

  /**
   * Copies vector {@code id} into {@code dst} at {@code offset}. If another process truncated the
   * file under the mapping, this throws an error, not a crash (see {@link #mappingFault}).
   */
  public void read(long id, float[] dst, int offset) {
    checkId(id);
    int dimension = header.dimension();
    FloatBuffer[] mapped = chunks();
    try {
      if (mapped.length == 1) {
        // the common case: no 64-bit division per read (graph searches read one per visited node)
        mapped[0].get((int) id * dimension, dst, offset, dimension);
      } else {
        mapped[(int) (id / vectorsPerChunk)].get(
            (int) (id % vectorsPerChunk) * dimension, dst, offset, dimension);
      }
    } catch (InternalError e) {
      throw mappingFault(e);
    }
  }

  /**
   * Loads the first four bytes of each of the vectors {@code ids[0, count)}, all before any is
   * used: their cache misses then overlap, where reading one vector after another waits for each in
   * turn (hnswlib prefetches the next vector's first line for the same reason). Returns their sum,
   * for the caller to keep so that the loads are not dropped as unused.
   */
  public int touch(int[] ids, int count) {
    chunks(); // fails once closed, as reads do
    int vectorBytes = (int) header.vectorBytes(); // a vector fits one chunk
    int sum = 0;
    if (mappings.length == 1) {
      ByteBuffer mapped = mappings[0];
      for (int i = 0; i < count; i++) {
        checkId(ids[i]); // as read(): a bad id is named, never read from elsewhere
        // one chunk holds under 2 GiB: the product fits an int
        sum += mapped.getInt(ids[i] * vectorBytes);
      }
    } else {
      for (int i = 0; i < count; i++) {
        checkId(ids[i]);
        sum +=
            mappings[(int) (ids[i] / vectorsPerChunk)].getInt(
                (int) (ids[i] % vectorsPerChunk) * vectorBytes);
      }
    }
    return sum;
  }

  /**
   * The read-only little-endian mapping that holds vector {@code id}, for kernels that score it in
   * place; it starts at {@link #byteOffsetInMapping}. A read from it that faults (the file was
   * truncated under the mapping) raises an InternalError: see {@link #mappingFault}.
   */
  public ByteBuffer mappingOf(long id) {
    return mappings[mappingIndexOf(id)];
  }

  /** How many mappings hold the vectors: one per chunk of up to 1 GiB of the file. */
  public int mappingCount() {
    return mappings.length;
  }

  /** Mapping {@code index} of {@link #mappingCount}; fails once the store is closed. */
  public ByteBuffer mapping(int index) {
    chunks();
    if (index < 0 || index >= mappings.length) {
      throw new IndexOutOfBoundsException(
          path + ": mapping " + index + " outside [0, " + mappings.length + ")");
    }
    return mappings[index];
  }

  /**
   * The index of {@link #mappingOf}'s buffer for vector {@code id}; a bad id is named, and a closed
   * store fails, as in reads.
   */
  public int mappingIndexOf(long id) {
    checkId(id);
    chunks();
    return mappings.length == 1 ? 0 : (int) (id / vectorsPerChunk);
  }

  /** Where vector {@code id} starts in {@link #mappingOf}'s buffer, in bytes. */
  public int byteOffsetInMapping(long id) {
    long inChunk = mappings.length == 1 ? id : id % vectorsPerChunk;
    return (int) (inChunk * header.vectorBytes());
  }

  /**
   * Copies {@code count} consecutive vectors starting at {@code first} into {@code dst} at {@code
   * offset}, row-major: the block read that batch kernels run on.
   */
  public void readBlock(long first, int count, float[] dst, int offset) {
    if (count < 0 || first < 0 || first > header.count() - count) {
      throw new IndexOutOfBoundsException(
          path + ": block [" + first + ", " + (first + count) + ") outside [0, " + size() + ")");
    }
    FloatBuffer[] mapped = chunks();
    int dimension = header.dimension();
    long id = first;
    int remaining = count;
    try {
      while (remaining > 0) {
        int chunk = (int) (id / vectorsPerChunk);
        int inChunk = (int) (id % vectorsPerChunk);
        int n = Math.min(remaining, vectorsPerChunk - inChunk);
        mapped[chunk].get(inChunk * dimension, dst, offset, n * dimension);
        offset += n * dimension;
        id += n;
        remaining -= n;
      }
    } catch (InternalError e) {
      throw mappingFault(e);
    }
  }

  /**
   * Translates the JVM's InternalError for a fault in a mapped page (SIGBUS: the file was truncated
   * under the mapping) into an {@link UncheckedIOException} that names the file and its sizes. This
   * catches it when the read runs interpreted or compiled on its own (JDK 25). The JVM raises the
   * error asynchronously on JDK 17, and after the JIT inlined the read into its caller it may also
   * pass this catch: then the caller sees the bare InternalError ("a fault occurred in an unsafe
   * memory access operation"). Either way it is an error in the reading thread, never a crash.
   * Public for readers of {@link #mappingOf}, which catch the error themselves.
   */
  public UncheckedIOException mappingFault(InternalError fault) {
    long length;
    try {
      length = Files.size(path);
    } catch (IOException e) {
      length = -1;
    }
    String found =
        length < 0
            ? "no readable file"
            : length < header.fileSize()
                ? length + " bytes: the file was truncated while mapped"
                : length
                    + " bytes, its full size, yet a mapped page faulted: another mapped file"
                    + " read on this thread may have been truncated";
    VecFormatException error =
        new VecFormatException(path, "file size", header.fileSize() + " bytes as mapped", found);
    error.initCause(fault);
    return new UncheckedIOException(error.getMessage(), error);
  }

  /**
   * Tells the kernel that this store is read at random from now on (a graph walk, a re-ranking):
   * page faults then read their page only ({@link Mappings#adviseRandom}). Not for stores that are
   * scanned in order (exact search), which gain from the kernel's read-ahead. Returns whether the
   * advice was given on this JVM.
   */
  public boolean adviseRandomAccess() {
    return Mappings.adviseRandom(java.util.Arrays.asList(mappings));
  }

  /** Releases the mapping for the garbage collector; any later read fails. */
  @Override
  public void close() {
    // Explicit unmapping while another thread reads would crash the JVM; dropping the
    // references lets the collector unmap once no reader holds the buffers.
    chunks = null;
  }

  /**
   * Closes the store and unmaps its file now ({@link Mappings}), not when the collector finds the
   * mapping: for a file deleted meanwhile, its disk blocks are freed at once. Only when no thread
   * reads this store any more, now or later: a read after this call may crash the JVM.
   */
  public void unmap() {
    close();
    Mappings.unmap(java.util.Arrays.asList(mappings));
  }

  private FloatBuffer[] chunks() {
    FloatBuffer[] mapped = chunks;
    if (mapped == null) {
      throw new IllegalStateException(path + ": store is closed");
    }
    return mapped;
  }

  private void checkId(long id) {
    if (id < 0 || id >= header.count()) {
      throw new IndexOutOfBoundsException(
          path + ": vector id " + id + " outside [0, " + header.count() + ")");
    }
  }

  @Override
  public String toString() {
    return "VectorStore[" + path + ", " + size() + " × " + dimension() + "]";
  }
}
