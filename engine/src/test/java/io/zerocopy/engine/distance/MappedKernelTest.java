package io.zerocopy.engine.distance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The in-place kernels against the array kernels they stand in for: the same float, bit for bit.
 */
class MappedKernelTest {

  private final VectorKernel selected = VectorKernel.selected();
  private final MappedKernel mapped = MappedKernel.matching(selected);

  @Test
  void presentExactlyWhereTheJdkCanLoadVectorsFromABuffer() {
    boolean panama = "panama".equals(System.getProperty("zcs.expectedKernel", selected.name()));
    int feature = Runtime.version().feature();
    if (panama && (feature < 20 || feature >= 22)) {
      assertNotNull(mapped, "JDK " + feature + " with the Vector API scores in place");
    } else {
      assertNull(mapped, "no in-place kernel on JDK " + Runtime.version() + ", " + selected.name());
    }
    assertNull(MappedKernel.matching(VectorKernel.scalar()), "the scalar kernel always copies");
  }

  @Test
  void equalsTheArrayKernelsBitForBitOnEveryLengthAndOffset() {
    if (mapped == null) {
      return; // the copy path runs the array kernels themselves
    }
    SplittableRandom random = new SplittableRandom(11);
    for (int len = 0; len <= 1100; len++) {
      int offsetA = random.nextInt(3);
      int offsetB = random.nextInt(5);
      float[] a = randomArray(random, len + offsetA);
      float[] b = randomArray(random, len + offsetB);
      float[] unit = a.clone();
      float norm = (float) Math.sqrt(selected.dot(a, offsetA, a, offsetA, len));
      for (int i = 0; i < len; i++) {
        unit[offsetA + i] = a[offsetA + i] / norm;
      }
      // b's floats at a byte offset that is not a multiple of the vector size, as in a mapping
      ByteBuffer buffer =
          ByteBuffer.allocateDirect(4 * (len + offsetB) + 4).order(ByteOrder.LITTLE_ENDIAN);
      buffer.position(4).slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(b);
      int at = 4 * (offsetB + 1);
      Object view = mapped.view(buffer); // made once, read by all five
      String where = "len " + len + ", offsets " + offsetA + "/" + offsetB;
      assertEquals(
          selected.dot(a, offsetA, b, offsetB, len),
          mapped.dot(a, offsetA, buffer, view, at, len),
          "dot, " + where);
      assertEquals(
          selected.squareDistance(a, offsetA, b, offsetB, len),
          mapped.squareDistance(a, offsetA, buffer, view, at, len),
          "squareDistance, " + where);
      assertEquals(
          selected.dot(b, offsetB, b, offsetB, len),
          mapped.squaredNorm(buffer, view, at, len),
          "squaredNorm, " + where);
      float aSquaredNorm = selected.dot(a, offsetA, a, offsetA, len);
      assertEquals(
          Cosine.fromParts(
              selected.dot(a, offsetA, b, offsetB, len),
              aSquaredNorm,
              selected.dot(b, offsetB, b, offsetB, len)),
          mapped.cosineDistance(a, offsetA, aSquaredNorm, buffer, view, at, len),
          "cosineDistance, " + where);
      assertEquals(
          selected.cosineDistanceToUnit(unit, offsetA, b, offsetB, len),
          mapped.cosineDistanceToUnit(unit, offsetA, buffer, view, at, len),
          "cosineDistanceToUnit, " + where);
    }
  }

  private static float[] randomArray(SplittableRandom random, int n) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return values;
  }
}
