package io.zerocopy.engine.distance;

import java.nio.ByteBuffer;

/**
 * Kernels that read the stored vector in place, from a little-endian mapped buffer, instead of from
 * a copy in a heap array. Exact search of one query reads every vector once, and scoring it where
 * it is mapped saves the copy (the scan then runs at the memory's speed); each of those methods
 * returns, bit for bit, what the {@link VectorKernel#selected() selected} kernel's array method of
 * the same name returns for the same floats. Graph walks read vectors at random and score four at
 * once ({@link #walkScores}), in an order of their own.
 */
public interface MappedKernel {

  /**
   * The mapping {@code b} as the methods below read it, made once per mapping and passed to every
   * call on it: JDK 22+ read through a memory segment over the buffer, and making one per vector
   * (an allocation each) cost 15-20% of a 384-d scan's speed on JDK 25; JDK 17-19 read the buffer.
   */
  Object view(ByteBuffer b);

  /**
   * {@link VectorKernel#dot}; {@code bByteOffset} is a byte offset into {@code b}, {@code bView}
   * its {@link #view}.
   */
  float dot(float[] a, int aOffset, ByteBuffer b, Object bView, int bByteOffset, int len);

  /** {@link VectorKernel#squareDistance}; arguments as {@link #dot}. */
  float squareDistance(
      float[] a, int aOffset, ByteBuffer b, Object bView, int bByteOffset, int len);

  /** {@link VectorKernel#dot} of the vector at {@code byteOffset} with itself. */
  float squaredNorm(ByteBuffer b, Object bView, int byteOffset, int len);

  /**
   * {@code Cosine.fromParts(dot(a, b), aSquaredNorm, squaredNorm(b))}, the same float, from one
   * pass over b instead of two (an exact scan of a cosine store reads each vector once).
   */
  float cosineDistance(
      float[] a,
      int aOffset,
      float aSquaredNorm,
      ByteBuffer b,
      Object bView,
      int bByteOffset,
      int len);

  /** {@link VectorKernel#cosineDistanceToUnit}; arguments as {@link #dot}. */
  float cosineDistanceToUnit(
      float[] unit, int unitOffset, ByteBuffer b, Object bView, int bByteOffset, int len);

  /**
   * A graph walk's scores of four stored vectors at once, each read in place where {@code bN} /
   * {@code vN} (its {@link #view}) / {@code atN} say: {@code out[outOffset + N]} for {@code N < 4}
   * gets {@link #walkScore} of that vector, the same float. A walk reads vectors at random:
   * streaming four side by side keeps their cache misses in flight together, with no stores in
   * between (copying each to the heap before scoring it measured 20-40% slower in the walk).
   */
  void walkScores(
      WalkScore score,
      float[] a,
      int len,
      ByteBuffer b0,
      Object v0,
      int at0,
      ByteBuffer b1,
      Object v1,
      int at1,
      ByteBuffer b2,
      Object v2,
      int at2,
      ByteBuffer b3,
      Object v3,
      int at3,
      float[] out,
      int outOffset);

  /**
   * {@link #walkScores} of eight stored vectors at once, all in the mapping {@code b} (view {@code
   * v}) at {@code at0..at7}: {@code out[outOffset + N]} gets {@link #walkScore} of vector N, the
   * same float; {@code lanes} is scratch of at least 256 floats. Eight streams of cache misses in
   * flight instead of four: +6-19% QPS in the walk (A/Bs in issue 28's note). Only where {@link
   * #scoresEight}.
   */
  void walkScores8(
      WalkScore score,
      float[] a,
      int len,
      ByteBuffer b,
      Object v,
      int at0,
      int at1,
      int at2,
      int at3,
      int at4,
      int at5,
      int at6,
      int at7,
      float[] lanes,
      float[] out,
      int outOffset);

  /**
   * Whether {@link #walkScores8} runs here: with 512-bit vectors, which come with 32 registers for
   * its sums (sixteen for a cosine) and loads. Not measured with fewer: 256-bit machines keep four.
   */
  boolean scoresEight();

  /**
   * The {@code score} of {@code a} against the stored vector at {@code at}: one chain of fused sums
   * per quantity, lane by lane, then the tail element by element. Not bit for bit the array
   * kernels' float (their four chains hide an FMA's latency on data in cache; a walk waits on
   * memory instead), so walks re-score what they report with those.
   */
  float walkScore(WalkScore score, float[] a, int len, ByteBuffer b, Object v, int at);

  /**
   * Whether callers should read int8 codes in place with the methods below (which work wherever
   * this kernel does) rather than copy them and score the copies; not under 8 lanes (the array
   * kernels are scalar there) nor where a copy measured faster.
   */
  boolean readsInt8Codes();

  /**
   * {@link VectorKernel#int8SquareDistance} of the codes at {@code bByteOffset} (one signed byte
   * per dimension), read in place: the same float.
   */
  float int8SquareDistance(
      float[] residual, float[] step, ByteBuffer b, Object bView, int bByteOffset, int len);

  /**
   * {@link VectorKernel#int8Dot} of the codes at {@code bByteOffset}, read in place: the same
   * float.
   */
  float int8Dot(float[] weight, ByteBuffer b, Object bView, int bByteOffset, int len);

  /**
   * Four rows of codes read in place side by side, as {@link #walkScores} reads vectors: {@code
   * out[outOffset + N]} gets {@link #int8SquareDistance}{@code (weight, step, …)} of row N when
   * {@code step} is not null, else {@link #int8Dot}{@code (weight, …)}: the same floats.
   */
  void int8Scores(
      float[] weight,
      float[] step,
      int len,
      ByteBuffer b0,
      Object v0,
      int at0,
      ByteBuffer b1,
      Object v1,
      int at1,
      ByteBuffer b2,
      Object v2,
      int at2,
      ByteBuffer b3,
      Object v3,
      int at3,
      float[] out,
      int outOffset);

  /** What {@link #walkScore} computes. */
  enum WalkScore {
    /** The squared Euclidean distance. */
    SQUARE_DISTANCE,
    /** The negated dot product (smaller is closer). */
    NEGATED_DOT,
    /** {@code Cosine.fromParts(a·b, 1, |b|²)}: the cosine distance from a unit-length {@code a}. */
    COSINE_TO_UNIT
  }

  /**
   * The in-place kernels matching {@code kernel}, or null when this JVM has none: only the Vector
   * API kernel reads mapped memory, on JDK 17 to 19 ({@code FloatVector.fromByteBuffer}) and 22+
   * ({@code fromMemorySegment}; JDK 20 and 21 have it only as a preview); callers then copy. Chosen
   * once per JVM, and logged.
   */
  static MappedKernel matching(VectorKernel kernel) {
    return kernel == KernelSelection.SELECTED ? KernelSelection.MAPPED : null;
  }
}
