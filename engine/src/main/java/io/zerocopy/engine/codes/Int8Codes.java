package io.zerocopy.engine.codes;

import io.zerocopy.engine.distance.MappedKernel;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
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
 *   4    version (2; 1 opens too)  u32
 *   8    count                     u64   vectors, as in the .vec
 *  16    dimension                 u32
 *  20    encoding (0 vectors as stored, 1 scaled to unit length) u32
 *  24    params_offset (64)        u64
 *  32    codes_offset              u64   params_offset + 8 × dimension, rounded up to 64
 *  40    file_size                 u64   codes_offset + count × dimension + 2 × count
 *  48    params_crc32c             u32
 *  52    codes_crc32c              u32
 *  56    bounds_crc32c             u32   (version 1: zero)
 *  60    header_crc32c             u32   CRC32C of bytes [0, 60)
 * params: dimension × f32 offsets, then dimension × f32 steps (finite, steps ≥ 0)
 * codes:  count × dimension × i8, row-major
 * bounds: count × u16, the high half of an f32 ≥ 0 or +∞ (version 2; version 1 files end with
 *         the codes)
 * </pre>
 *
 * A vector's bound is an upper bound of the Euclidean distance between it (as coded) and its
 * decoded codes: {@link #errorBound}. Searches use it to re-rank only the candidates that can still
 * enter the results; version 1 files have none, and their searches re-rank every candidate.
 *
 * <p>{@link #open} checks every field, both offsets, the exact size and all three checksums, and
 * names the file in any error. Safe for concurrent reads.
 */
public final class Int8Codes implements QuantizedCodes {

  public static final int MAGIC = 0x3851435A;
  public static final int VERSION = 2;
  public static final int HEADER_BYTES = 64;

  /** Bytes of a vector's error bound: the high half of a float, rounded up. */
  static final int BOUND_BYTES = 2;

  private final Path path;
  private final long count;
  private final int dimension;
  private final boolean unitVectors;
  private final float[] offsets;
  private final float[] steps;
  private final CodeRows rows;

  /** {@link #views}, once made. */
  private volatile Object[] views;

  /** The error bounds, one 4-byte row per vector; null for version 1 files, which have none. */
  private final CodeRows bounds;

  private Int8Codes(
      Path path,
      long count,
      int dimension,
      boolean unitVectors,
      float[] offsets,
      float[] steps,
      CodeRows rows,
      CodeRows bounds) {
    this.path = path;
    this.count = count;
    this.dimension = dimension;
    this.unitVectors = unitVectors;
    this.offsets = offsets;
    this.steps = steps;
    this.rows = rows;
    this.bounds = bounds;
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
      ByteBuffer header = CodeRows.header(channel, path, ".i8", MAGIC, 1, VERSION);
      int version = header.getInt(4);
      long count = header.getLong(8);
      int dimension = header.getInt(16);
      int encoding = header.getInt(20);
      if (count < 0) {
        throw CodeRows.invalid(path, ".i8", "count", "at least 0", String.valueOf(count));
      }
      if (dimension < 1 || dimension > (1 << 20)) {
        throw CodeRows.invalid(
            path, ".i8", "dimension", "1 to " + (1 << 20), String.valueOf(dimension));
      }
      if (encoding != 0 && encoding != 1) {
        throw CodeRows.invalid(
            path, ".i8", "encoding", "0 (as stored) or 1 (unit length)", "" + encoding);
      }
      CodeRows.expect(path, ".i8", "params_offset", HEADER_BYTES, header.getLong(24));
      long codesOffset = codesOffset(dimension);
      CodeRows.expect(path, ".i8", "codes_offset", codesOffset, header.getLong(32));
      int rowBytes = dimension + (version >= 2 ? BOUND_BYTES : 0);
      if (count > (Long.MAX_VALUE - codesOffset) / rowBytes) {
        throw CodeRows.invalid(
            path, ".i8", "count", "at most " + Long.MAX_VALUE / rowBytes, "" + count);
      }
      long boundsOffset = codesOffset + count * dimension;
      long fileSize = codesOffset + count * rowBytes;
      CodeRows.expect(path, ".i8", "file_size", fileSize, header.getLong(40));
      if (size != fileSize) {
        throw CodeRows.invalid(
            path,
            ".i8",
            "file size",
            fileSize + " bytes (" + count + " codes of dimension " + dimension + ")",
            size + " bytes");
      }
      if (version == 1 && header.getInt(56) != 0) {
        throw CodeRows.invalid(
            path, ".i8", "reserved bytes", "zero", String.valueOf(header.getInt(56)));
      }
      ByteBuffer params = ByteBuffer.allocate(8 * dimension).order(ByteOrder.LITTLE_ENDIAN);
      CodeRows.readFully(channel, params, HEADER_BYTES);
      int paramsCrc = CodeRows.crc(params.duplicate().position(0));
      CodeRows.checkCrc(path, ".i8", "params", header.getInt(48), paramsCrc);
      float[] offsets = new float[dimension];
      float[] steps = new float[dimension];
      params.asFloatBuffer().get(offsets).get(steps);
      for (int i = 0; i < dimension; i++) {
        if (!Float.isFinite(offsets[i])) {
          throw CodeRows.invalid(
              path, ".i8", "offset of dimension " + i, "a finite float", "" + offsets[i]);
        }
        if (!(steps[i] >= 0 && steps[i] < Float.POSITIVE_INFINITY)) {
          throw CodeRows.invalid(
              path, ".i8", "step of dimension " + i, "a finite float >= 0", "" + steps[i]);
        }
      }
      CRC32C codesCrc = new CRC32C();
      CodeRows rows = CodeRows.map(channel, path, codesOffset, count, dimension, codesCrc);
      CodeRows.checkCrc(path, ".i8", "codes", header.getInt(52), (int) codesCrc.getValue());
      CodeRows bounds = null;
      if (version >= 2) {
        CRC32C boundsCrc = new CRC32C();
        bounds = CodeRows.map(channel, path, boundsOffset, count, BOUND_BYTES, boundsCrc);
        CodeRows.checkCrc(path, ".i8", "bounds", header.getInt(56), (int) boundsCrc.getValue());
        for (long id = 0; id < count; id++) {
          float bound = bound(bounds.readShort(id));
          if (!(bound >= 0)) {
            throw CodeRows.invalid(
                path, ".i8", "error bound of vector " + id, "a float >= 0", "" + bound);
          }
        }
      }
      return new Int8Codes(path, count, dimension, encoding == 1, offsets, steps, rows, bounds);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(path.toString(), null, "no such .i8 codes file");
    } catch (CodesFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException(path + ": cannot read .i8 codes file: " + e.getMessage(), e);
    }
  }

  /** Opens {@code path} and checks that it holds the codes of {@code store}'s vectors. */
  public static Int8Codes open(Path path, VectorStore store) throws IOException {
    return CodeRows.checkStore(open(path), store, ".i8");
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

  @Override
  public int touch(int[] ids, int count) {
    return rows.touch(ids, count);
  }

  @Override
  public boolean adviseRandomAccess() {
    // the bounds too: a search reads those of its few re-ranked candidates
    boolean advised = rows.adviseRandomAccess();
    return (bounds == null || bounds.adviseRandomAccess()) && advised;
  }

  /** Copies the codes of vector {@code id} into {@code dst} at {@code offset}. */
  @Override
  public void read(long id, byte[] dst, int offset) {
    rows.read(id, dst, offset);
  }

  /**
   * An upper bound of the Euclidean distance between vector {@code id} as coded (scaled to unit
   * length for a cosine index) and its codes decoded; +∞ for a vector with non-finite values, and
   * for every vector of a version 1 file.
   */
  @Override
  public float errorBound(long id) {
    return bounds == null ? Float.POSITIVE_INFINITY : bound(bounds.readShort(id));
  }

  /** True but for version 1 files, which keep no bounds. */
  @Override
  public boolean keepsErrorBounds() {
    return bounds != null;
  }

  private static float bound(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /**
   * The stored form of a bound: the high 16 bits of the float, rounded up (a bound stays a bound,
   * within 1/128 of it). A non-finite value (a vector with NaN or infinite values, coded as 0)
   * gives +∞, which rules nothing out.
   */
  static short boundBits(double value) {
    if (!(value < Float.MAX_VALUE)) {
      return (short) (Float.floatToIntBits(Float.POSITIVE_INFINITY) >>> 16);
    }
    float rounded = (float) value;
    if (rounded < value) {
      rounded = Math.nextUp(rounded);
    }
    int bits = Float.floatToIntBits(rounded);
    // a positive float's bits order as its value: dropping low bits and adding one rounds up
    int high = (bits >>> 16) + ((bits & 0xffff) != 0 ? 1 : 0);
    return (short) high;
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
    CodeRows.checkQuery(this, query, metric, prepared);
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
        dotsToScores(metric, prepared, count, scores);
      }
    }
  }

  /**
   * Reads the codes in place, four rows side by side ({@link MappedKernel#int8Scores}): copying a
   * walk's codes into a block first held back the reads behind a miss, as it did for float32
   * vectors.
   */
  @Override
  public boolean scoreInPlace(
      Metric metric, float[] prepared, int[] ids, int count, float[] scores, MappedKernel inPlace) {
    if (!inPlace.readsInt8Codes()) {
      return false;
    }
    ByteBuffer[] chunks = rows.chunks();
    Object[] views = views(inPlace, chunks);
    for (int i = 0; i < count; i++) {
      rows.checkId(ids[i]);
    }
    float[] step = metric == Metric.L2 ? steps : null;
    int perChunk = rows.rowsPerChunk();
    boolean one = chunks.length == 1;
    int d = dimension;
    try {
      int i = 0;
      for (; i + 4 <= count; i += 4) {
        int n0 = ids[i], n1 = ids[i + 1], n2 = ids[i + 2], n3 = ids[i + 3];
        int c0 = one ? 0 : n0 / perChunk, c1 = one ? 0 : n1 / perChunk;
        int c2 = one ? 0 : n2 / perChunk, c3 = one ? 0 : n3 / perChunk;
        // one chunk holds under 2 GiB: the offsets fit an int
        inPlace.int8Scores(
            prepared,
            step,
            d,
            chunks[c0],
            views[c0],
            (n0 - c0 * perChunk) * d,
            chunks[c1],
            views[c1],
            (n1 - c1 * perChunk) * d,
            chunks[c2],
            views[c2],
            (n2 - c2 * perChunk) * d,
            chunks[c3],
            views[c3],
            (n3 - c3 * perChunk) * d,
            scores,
            i);
      }
      for (; i < count; i++) {
        int c = one ? 0 : ids[i] / perChunk;
        int at = (ids[i] - c * perChunk) * d;
        scores[i] =
            step != null
                ? inPlace.int8SquareDistance(prepared, step, chunks[c], views[c], at, d)
                : inPlace.int8Dot(prepared, chunks[c], views[c], at, d);
      }
    } catch (InternalError e) {
      throw rows.mappingFault();
    }
    if (step == null) {
      dotsToScores(metric, prepared, count, scores);
    }
    return true;
  }

  /** The dot or cosine scores of {@code count} int8 dots (as {@link #score} derives them). */
  private void dotsToScores(Metric metric, float[] prepared, int count, float[] scores) {
    float constant = prepared[dimension];
    boolean dot = metric == Metric.DOT;
    for (int v = 0; v < count; v++) {
      scores[v] = dot ? -(constant + scores[v]) : 1f - (constant + scores[v]);
    }
  }

  /** The chunks' {@link MappedKernel#view}s, made once (one in-place kernel per JVM). */
  private Object[] views(MappedKernel inPlace, ByteBuffer[] chunks) {
    Object[] made = views;
    if (made == null) {
      made = new Object[chunks.length];
      for (int c = 0; c < chunks.length; c++) {
        made[c] = inPlace.view(chunks[c]);
      }
      views = made; // racing threads make equal views: either may stay
    }
    return made;
  }

  /** Releases the mapping for the collector; any later read fails. */
  @Override
  public void close() {
    rows.close();
    if (bounds != null) {
      bounds.close();
    }
  }
}
