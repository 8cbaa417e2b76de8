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
import java.util.Locale;

/**
 * Compact codes of a store's vectors that a graph search walks on instead of the float32 vectors:
 * {@link Int8Codes} (one byte per float) or {@link PqCodes} (one byte per sub-space). Scores are
 * approximate; callers re-score their best candidates exactly.
 */
public interface QuantizedCodes extends AutoCloseable {

  /** The kinds of codes, by the names of the option that picks them. */
  enum Kind {
    INT8,
    PQ;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a name ({@code int8}, {@code pq}); an unknown one names the allowed values. */
    public static Kind parse(String raw) {
      String wanted = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
      for (Kind kind : values()) {
        if (kind.id().equals(wanted)) {
          return kind;
        }
      }
      throw new IllegalArgumentException(
          "unknown quantization '" + raw + "': expected one of int8, pq");
    }
  }

  Kind kind();

  Path path();

  /** Number of vectors coded. */
  long size();

  int dimension();

  /** Bytes of one vector's codes. */
  int codeBytes();

  /** Whether the codes are of the vectors scaled to unit length (a cosine index's). */
  boolean unitVectors();

  /** Copies the codes of vector {@code id} ({@link #codeBytes} bytes) into {@code dst}. */
  void read(long id, byte[] dst, int offset);

  /**
   * Advises the kernel that these codes are read one row at a time at random (a graph walk's
   * reads): page faults then read their page only. Not for codes that are scanned in order ({@link
   * io.zerocopy.engine.exact.CodesScan}), which gain from read-ahead. Returns whether the advice
   * was given.
   */
  boolean adviseRandomAccess();

  /**
   * Loads the first byte of the codes of each of {@code ids[0, count)}, all before any is used, so
   * that their cache misses overlap (a graph walk calls it ahead of {@link #read}); returns their
   * sum, for the caller to keep so that the loads are not dropped as unused.
   */
  int touch(int[] ids, int count);

  /**
   * An upper bound of the Euclidean distance between vector {@code id} as coded (scaled to unit
   * length when {@link #unitVectors}) and its codes decoded, for a search to rule candidates out
   * without reading their float32 vectors; +∞ when these codes keep no bound for it.
   */
  float errorBound(long id);

  /** Whether these codes keep an {@link #errorBound} for every vector (+∞ where there is none). */
  boolean keepsErrorBounds();

  /** Floats of a prepared query. */
  int preparedLength();

  /** {@code query} in the form {@link #score} takes for {@code metric}, in {@code prepared}. */
  float[] prepare(float[] query, Metric metric, float[] prepared);

  /** The approximate ranking score (smaller is closer) of the codes at {@code codes[offset]}. */
  float score(Metric metric, float[] prepared, byte[] codes, int offset, VectorKernel kernel);

  /** {@code scores[v]} of the codes at {@code v * codeBytes()}, for {@code count} rows. */
  void scoreAll(
      Metric metric,
      float[] prepared,
      byte[] codes,
      int count,
      float[] scores,
      VectorKernel kernel);

  /**
   * {@link #scoreAll}'s scores of the codes of {@code ids[0, count)} read where they are mapped,
   * with no copy, the same floats; false, scoring nothing, where these codes or {@code inPlace}
   * cannot (then copy the codes and call {@link #scoreAll}).
   */
  default boolean scoreInPlace(
      Metric metric, float[] prepared, int[] ids, int count, float[] scores, MappedKernel inPlace) {
    return false;
  }

  /**
   * Writes the codes of every vector of {@code store} (these codes' vectors and more, after an
   * append), trained as these are, atomically over this file, and opens them.
   */
  QuantizedCodes extendTo(VectorStore store) throws IOException;

  @Override
  void close();

  /** Trains codes of {@code kind} on {@code store} and writes them to {@code codes}, atomically. */
  static void write(Kind kind, Path codes, VectorStore store, Metric metric) throws IOException {
    switch (kind) {
      case INT8 -> Int8Codes.write(codes, store, metric);
      case PQ -> PqCodes.write(codes, store, metric);
    }
  }

  /**
   * Opens a codes file of either kind (told apart by its magic) and checks that it codes {@code
   * store}'s vectors.
   */
  static QuantizedCodes open(Path path, VectorStore store) throws IOException {
    int magic;
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer head = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      while (head.hasRemaining() && channel.read(head) >= 0) {}
      if (head.hasRemaining()) {
        throw new CodesFormatException(
            path + ": not a codes file: " + head.position() + " bytes, no magic");
      }
      magic = head.getInt(0);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(path.toString(), null, "no such codes file");
    }
    if (magic == PqCodes.MAGIC) {
      return PqCodes.open(path, store);
    }
    if (magic == Int8Codes.MAGIC) {
      return Int8Codes.open(path, store);
    }
    throw new CodesFormatException(
        String.format(
            "%s: invalid codes magic: expected 0x%08X (.i8) or 0x%08X (.pq), found 0x%08X",
            path, Int8Codes.MAGIC, PqCodes.MAGIC, magic));
  }
}
