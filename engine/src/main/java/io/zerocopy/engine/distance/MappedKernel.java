package io.zerocopy.engine.distance;

import java.nio.ByteBuffer;

/**
 * Kernels that read the stored vector in place, from a little-endian mapped buffer, instead of from
 * a copy in a heap array. Exact search of one query reads every vector once, and scoring it where
 * it is mapped saves the copy (the scan then runs at the memory's speed). Graph search keeps
 * copying: its vectors come from random places in memory, and copying several back to back before
 * scoring them overlaps their cache misses better than a kernel reading each in turn (measured in
 * issue 28). Each method returns, bit for bit, what the {@link VectorKernel#selected() selected}
 * kernel's array method of the same name returns for the same floats.
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
   * The in-place kernels matching {@code kernel}, or null when this JVM has none: only the Vector
   * API kernel reads mapped memory, on JDK 17 to 19 ({@code FloatVector.fromByteBuffer}) and 22+
   * ({@code fromMemorySegment}; JDK 20 and 21 have it only as a preview); callers then copy. Chosen
   * once per JVM, and logged.
   */
  static MappedKernel matching(VectorKernel kernel) {
    return kernel == KernelSelection.SELECTED ? KernelSelection.MAPPED : null;
  }
}
