package io.zerocopy.engine.codes;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A {@code .i8} file: one signed 8-bit code per float of a {@code .vec}, a quarter of its size,
 * mapped read-only. Dimension {@code i} of a vector decodes to {@code offset[i] + step[i] * code};
 * the ranges are trained per dimension ({@link Int8Training}). Codes of a cosine index encode the
 * vectors scaled to unit length, so a dot product ranks them. Little-endian:
 *
 * <pre>
 * offset field                     type
 *   0    magic "ZCQ8" (0x3851435A) u32
 *   4    version (1)               u32
 *   8    count                     u64   vectors, as in the .vec
 *  16    dimension                 u32
 *  20    encoding (0 vectors as stored, 1 scaled to unit length) u32
 *  24    params_offset (64)        u64
 *  32    codes_offset              u64   params_offset + 8 × dimension, rounded up to 64
 *  40    file_size                 u64   codes_offset + count × dimension
 *  48    params_crc32c             u32
 *  52    codes_crc32c              u32
 *  56    reserved, zero            u32
 *  60    header_crc32c             u32   CRC32C of bytes [0, 60)
 * params: dimension × f32 offsets, then dimension × f32 steps (finite, steps ≥ 0)
 * codes:  count × dimension × i8, row-major
 * </pre>
 *
 * {@link #open} checks every field, both offsets, the exact size and all three checksums, and names
 * the file in any error. Safe for concurrent reads.
 */
public final class Int8Codes implements QuantizedCodes {

  public static final int MAGIC = 0x3851435A;
  public static final int VERSION = 1;
  public static final int HEADER_BYTES = 64;

  /** Target bytes per mapped chunk of codes; a ByteBuffer cannot exceed 2 GiB. */
  static final long CHUNK_BYTES = 1L << 30;

  private final Path path;
  private final long count;
  private final int dimension;
  private final boolean unitVectors;
  private final float[] offsets;
  private final float[] steps;
  private volatile ByteBuffer[] chunks;
  private final int vectorsPerChunk;

  private Int8Codes(
      Path path,
      long count,
      int dimension,
      boolean unitVectors,
      float[] offsets,
      float[] steps,
      ByteBuffer[] chunks,
      int vectorsPerChunk) {
    this.path = path;
    this.count = count;
    this.dimension = dimension;
    this.unitVectors = unitVectors;
    this.offsets = offsets;
    this.steps = steps;
    this.chunks = chunks;
    this.vectorsPerChunk = vectorsPerChunk;
  }

  static long codesOffset(int dimension) {
    return (HEADER_BYTES + 8L * dimension + 63) & ~63L;
  }

  /**
   * Trains ranges on {@code store} and writes the codes of all its vectors to {@code codes},
   * atomically; a cosine index gets the codes of its vectors scaled to unit length.
   */
  public static void write(Path codes, VectorStore store, Metric metric) throws IOException {
    Int8Training.write(codes, store, metric == Metric.COSINE);
  }

  /**
   * Writes the codes of every vector of {@code store} (these codes' vectors and more, after an
   * append) with these codes' ranges over this file, atomically, and opens them; this object stays
   * readable with its old count. Old vectors keep their codes.
   */
  @Override
  public Int8Codes extendTo(VectorStore store) throws IOException {
    if (store.dimension() != dimension || store.size() < count) {
      throw new IllegalArgumentException(
          path + ": codes of " + count + " × " + dimension + " cannot extend to " + store);
    }
    Int8Training.write(path, store, unitVectors, offsets, steps);
    return open(path, store);
  }

  /** Maps and validates the codes file at {@code path}. */
  public static Int8Codes open(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < HEADER_BYTES) {
        throw invalid(path, "file size", "at least " + HEADER_BYTES + " bytes", size + " bytes");
      }
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, header, 0);
      int magic = header.getInt(0);
      if (magic != MAGIC) {
        throw invalid(
            path, "magic", String.format("0x%08X", MAGIC), String.format("0x%08X", magic));
      }
      int headerCrc = crc(header.duplicate().position(0).limit(60));
      if (headerCrc != header.getInt(60)) {
        throw invalid(
            path,
            "header checksum",
            String.format("CRC32C 0x%08X (stored)", header.getInt(60)),
            String.format("0x%08X: the header is corrupted", headerCrc));
      }
      int version = header.getInt(4);
      if (version != VERSION) {
        throw invalid(path, "version", String.valueOf(VERSION), String.valueOf(version));
      }
      long count = header.getLong(8);
      int dimension = header.getInt(16);
      int encoding = header.getInt(20);
      if (count < 0) {
        throw invalid(path, "count", "at least 0", String.valueOf(count));
      }
      if (dimension < 1 || dimension > (1 << 20)) {
        throw invalid(path, "dimension", "1 to " + (1 << 20), String.valueOf(dimension));
      }
      if (encoding != 0 && encoding != 1) {
        throw invalid(path, "encoding", "0 (as stored) or 1 (unit length)", "" + encoding);
      }
      expect(path, "params_offset", HEADER_BYTES, header.getLong(24));
      long codesOffset = codesOffset(dimension);
      expect(path, "codes_offset", codesOffset, header.getLong(32));
      if (count > (Long.MAX_VALUE - codesOffset) / dimension) {
        throw invalid(path, "count", "at most " + Long.MAX_VALUE / dimension, "" + count);
      }
      long fileSize = codesOffset + count * dimension;
      expect(path, "file_size", fileSize, header.getLong(40));
      if (size != fileSize) {
        throw invalid(
            path,
            "file size",
            fileSize + " bytes (" + count + " codes of dimension " + dimension + ")",
            size + " bytes");
      }
      if (header.getInt(56) != 0) {
        throw invalid(path, "reserved bytes", "zero", String.valueOf(header.getInt(56)));
      }
      ByteBuffer params = ByteBuffer.allocate(8 * dimension).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, params, HEADER_BYTES);
      int paramsCrc = crc(params.duplicate().position(0));
      if (paramsCrc != header.getInt(48)) {
        throw invalid(
            path,
            "params checksum",
            String.format("CRC32C 0x%08X (stored)", header.getInt(48)),
            String.format("0x%08X: the file is corrupted", paramsCrc));
      }
      float[] offsets = new float[dimension];
      float[] steps = new float[dimension];
      params.asFloatBuffer().get(offsets).get(steps);
      for (int i = 0; i < dimension; i++) {
        if (!Float.isFinite(offsets[i])) {
          throw invalid(path, "offset of dimension " + i, "a finite float", "" + offsets[i]);
        }
        if (!(steps[i] >= 0 && steps[i] < Float.POSITIVE_INFINITY)) {
          throw invalid(path, "step of dimension " + i, "a finite float >= 0", "" + steps[i]);
        }
      }
      int vectorsPerChunk = (int) Math.max(1, Math.min(count, CHUNK_BYTES / dimension));
      long chunkCount = count == 0 ? 0 : (count + vectorsPerChunk - 1) / vectorsPerChunk;
      ByteBuffer[] chunks = new ByteBuffer[Math.toIntExact(chunkCount)];
      CRC32C codesCrc = new CRC32C();
      for (int c = 0; c < chunks.length; c++) {
        long first = (long) c * vectorsPerChunk;
        long vectors = Math.min(vectorsPerChunk, count - first);
        chunks[c] =
            channel.map(
                FileChannel.MapMode.READ_ONLY,
                codesOffset + first * dimension,
                vectors * dimension);
        codesCrc.update(chunks[c].duplicate());
      }
      if ((int) codesCrc.getValue() != header.getInt(52)) {
        throw invalid(
            path,
            "codes checksum",
            String.format("CRC32C 0x%08X (stored)", header.getInt(52)),
            String.format("0x%08X: the file is corrupted", (int) codesCrc.getValue()));
      }
      return new Int8Codes(
          path, count, dimension, encoding == 1, offsets, steps, chunks, vectorsPerChunk);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(path.toString(), null, "no such .i8 codes file");
    } catch (Int8FormatException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException(path + ": cannot read .i8 codes file: " + e.getMessage(), e);
    }
  }

  /** Opens {@code path} and checks that it holds the codes of {@code store}'s vectors. */
  public static Int8Codes open(Path path, VectorStore store) throws IOException {
    Int8Codes codes = open(path);
    if (codes.count != store.size() || codes.dimension != store.dimension()) {
      codes.close();
      throw invalid(
          path,
          "count × dimension",
          store.size() + " × " + store.dimension() + " (as " + store.path() + ")",
          codes.count + " × " + codes.dimension);
    }
    return codes;
  }

  @Override
  public Kind kind() {
    return Kind.INT8;
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public int codeBytes() {
    return dimension;
  }

  @Override
  public int preparedLength() {
    return dimension + 1;
  }

  /** Number of vectors coded. */
  @Override
  public long size() {
    return count;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  /** Whether the codes are of the vectors scaled to unit length (a cosine index's). */
  @Override
  public boolean unitVectors() {
    return unitVectors;
  }

  /** Copies the codes of vector {@code id} into {@code dst} at {@code offset}. */
  @Override
  public void read(long id, byte[] dst, int offset) {
    if (id < 0 || id >= count) {
      throw new IndexOutOfBoundsException(
          path + ": vector id " + id + " outside [0, " + count + ")");
    }
    ByteBuffer[] mapped = chunks;
    if (mapped == null) {
      throw new IllegalStateException(path + ": codes are closed");
    }
    try {
      if (mapped.length == 1) {
        mapped[0].get((int) id * dimension, dst, offset, dimension);
      } else {
        mapped[(int) (id / vectorsPerChunk)].get(
            (int) (id % vectorsPerChunk) * dimension, dst, offset, dimension);
      }
    } catch (InternalError e) {
      throw new UncheckedIOException(
          new IOException(path + ": a mapped page faulted: the file was truncated while mapped"));
    }
  }

  /** Dimension {@code i} of {@code codes} decoded. */
  public float decode(int i, byte code) {
    return offsets[i] + steps[i] * code;
  }

  /**
   * {@code query} in the form {@link #score} takes for {@code metric}, in {@code prepared} ({@code
   * dimension + 1} floats): its residual from the offsets (L2), or its weight per code and, last,
   * the constant part of its dot product (dot; cosine, with the query scaled to unit length as the
   * codes are).
   */
  @Override
  public float[] prepare(float[] query, Metric metric, float[] prepared) {
    if (query.length != dimension || prepared.length != dimension + 1) {
      throw new IllegalArgumentException(
          "query has dimension " + query.length + ", but " + path + " has " + dimension);
    }
    if ((metric == Metric.COSINE) != unitVectors) {
      throw new IllegalArgumentException(
          path
              + ": codes of "
              + (unitVectors ? "unit-length vectors (a cosine index)" : "vectors as stored")
              + " cannot score the "
              + metric
              + " metric");
    }
    if (metric == Metric.L2) {
      for (int i = 0; i < dimension; i++) {
        prepared[i] = query[i] - offsets[i];
      }
      prepared[dimension] = 0f;
      return prepared;
    }
    double scale = 1;
    if (metric == Metric.COSINE) {
      double squared = 0;
      for (float v : query) {
        squared += (double) v * v;
      }
      scale = squared > 0 ? 1 / Math.sqrt(squared) : 0;
    }
    double constant = 0;
    for (int i = 0; i < dimension; i++) {
      double q = query[i] * scale;
      prepared[i] = (float) (q * steps[i]);
      constant += q * offsets[i];
    }
    prepared[dimension] = (float) constant;
    return prepared;
  }

  /** {@link #prepare(float[], Metric, float[])} into a new array. */
  public float[] prepare(float[] query, Metric metric) {
    return prepare(query, metric, new float[dimension + 1]);
  }

  /**
   * The ranking score (smaller is closer, as {@link Metric#score}) of a {@link #prepare prepared}
   * query against the codes at {@code codes[offset]}: the squared distance, minus the dot product,
   * or 1 minus it (cosine).
   */
  @Override
  public float score(
      Metric metric, float[] prepared, byte[] codes, int offset, VectorKernel kernel) {
    return switch (metric) {
      case L2 -> kernel.int8SquareDistance(prepared, steps, codes, offset, dimension);
      case DOT -> -(prepared[dimension] + kernel.int8Dot(prepared, codes, offset, dimension));
      case COSINE ->
          1f - (prepared[dimension] + kernel.int8Dot(prepared, codes, offset, dimension));
    };
  }

  /**
   * {@code scores[v] = score(metric, prepared, codes at v * dimension)} for {@code count} rows, on
   * the kernel's bulk methods (two rows per pass).
   */
  @Override
  public void scoreAll(
      Metric metric,
      float[] prepared,
      byte[] codes,
      int count,
      float[] scores,
      VectorKernel kernel) {
    switch (metric) {
      case L2 -> kernel.int8SquareDistances(prepared, steps, codes, count, dimension, scores);
      case DOT, COSINE -> {
        kernel.int8Dots(prepared, codes, count, dimension, scores);
        float constant = prepared[dimension];
        boolean dot = metric == Metric.DOT;
        for (int v = 0; v < count; v++) {
          scores[v] = dot ? -(constant + scores[v]) : 1f - (constant + scores[v]);
        }
      }
    }
  }

  /** Releases the mapping for the collector; any later read fails. */
  @Override
  public void close() {
    // as VectorStore: unmapping while another thread reads would crash the JVM
    chunks = null;
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

  static int crc(ByteBuffer bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }

  private static void expect(Path path, String field, long expected, long found)
      throws Int8FormatException {
    if (expected != found) {
      throw invalid(path, field, String.valueOf(expected), String.valueOf(found));
    }
  }

  static Int8FormatException invalid(Path path, String field, String expected, String found) {
    return new Int8FormatException(
        path + ": invalid .i8 " + field + ": expected " + expected + ", found " + found);
  }

  /** A file that is not a valid codes file; the message names the file, field and values. */
  public static final class Int8FormatException extends IOException {
    private static final long serialVersionUID = 1L;

    Int8FormatException(String message) {
      super(message);
    }
  }
}
