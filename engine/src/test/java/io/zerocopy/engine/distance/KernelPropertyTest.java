package io.zerocopy.engine.distance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The selected kernel against the scalar one, and both against a double-precision reference. */
class KernelPropertyTest {

  private static final int MAX_LENGTH = 4099;

  private final VectorKernel selected = VectorKernel.selected();
  private final VectorKernel scalar = VectorKernel.scalar();

  @Test
  void kernelsAgreeOnEveryLengthUpTo4099() {
    SplittableRandom random = new SplittableRandom(42);
    for (int len = 1; len <= MAX_LENGTH; len++) {
      int offsetA = random.nextInt(3);
      int offsetB = random.nextInt(3);
      float[] a = randomArray(random, len + offsetA);
      float[] b = randomArray(random, len + offsetB);
      check(
          len,
          "dot",
          referenceDot(a, offsetA, b, offsetB, len),
          selected.dot(a, offsetA, b, offsetB, len),
          scalar.dot(a, offsetA, b, offsetB, len),
          magnitude(a, offsetA, b, offsetB, len));
      check(
          len,
          "squareDistance",
          referenceSquare(a, offsetA, b, offsetB, len),
          selected.squareDistance(a, offsetA, b, offsetB, len),
          scalar.squareDistance(a, offsetA, b, offsetB, len),
          referenceSquare(a, offsetA, b, offsetB, len));
      check(
          len,
          "cosineDistance",
          referenceCosine(a, offsetA, b, offsetB, len),
          selected.cosineDistance(a, offsetA, b, offsetB, len),
          scalar.cosineDistance(a, offsetA, b, offsetB, len),
          1.0);
      float[] unit = unit(a, offsetA, len);
      check(
          len,
          "cosineDistanceToUnit",
          referenceCosine(a, offsetA, b, offsetB, len),
          selected.cosineDistanceToUnit(unit, offsetA, b, offsetB, len),
          scalar.cosineDistanceToUnit(unit, offsetA, b, offsetB, len),
          1.0);
    }
  }

  @Test
  void approximateDotsStayWithinTheirErrorBound() {
    SplittableRandom random = new SplittableRandom(19);
    for (VectorKernel kernel : new VectorKernel[] {selected, scalar}) {
      for (int len : new int[] {1, 2, 7, 16, 31, 33, 100, 384, 785}) {
        for (int queries : new int[] {1, 8, 15, 16, 17, 40, 64}) {
          int count = 1 + random.nextInt(11);
          float[] q = randomArray(random, queries * len);
          float[] x = randomArray(random, count * len);
          float[] packed = kernel.packQueries(q, queries, len);
          int stride = kernel.queryStride(queries);
          float[] out = new float[count * stride];
          kernel.approximateDots(packed, queries, x, count, len, out);
          double n = len;
          double gamma = n * 0x1p-24 / (1 - n * 0x1p-24);
          for (int a = 0; a < queries; a++) {
            for (int v = 0; v < count; v++) {
              double exact = referenceDot(q, a * len, x, v * len, len);
              double magnitude = 0;
              for (int i = 0; i < len; i++) {
                magnitude += Math.abs((double) q[a * len + i] * x[v * len + i]);
              }
              double error = Math.abs(out[v * stride + a] - exact);
              if (error > gamma * magnitude) {
                throw new AssertionError(
                    String.format(
                        "%s approximateDots, len %d, query %d of %d, vector %d: %s vs %s, error %s"
                            + " above the bound %s",
                        kernel.name(),
                        len,
                        a,
                        queries,
                        v,
                        out[v * stride + a],
                        exact,
                        error,
                        gamma * magnitude));
              }
            }
          }
        }
      }
    }
  }

  @Test
  void firstNotBelowFindsEveryValueNotBelowItsThreshold() {
    SplittableRandom random = new SplittableRandom(23);
    float[] specials = {
      Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE
    };
    for (VectorKernel kernel : new VectorKernel[] {selected, scalar}) {
      for (int round = 0; round < 2000; round++) {
        int count = 1 + random.nextInt(70);
        int offset = random.nextInt(5);
        float[] values = new float[offset + count];
        float[] base = new float[count];
        float[] slope = new float[count];
        // mostly below, with a few hits and special values, as a batch's screen sees them
        for (int i = 0; i < count; i++) {
          base[i] = (float) (random.nextDouble() * 4 - 2);
          slope[i] = (float) (random.nextDouble() * 2 - 1);
          values[offset + i] = base[i] - 3 - (float) random.nextDouble();
          if (random.nextInt(8) == 0) {
            values[offset + i] = base[i] + 3;
          }
          if (random.nextInt(40) == 0) {
            base[i] = specials[random.nextInt(specials.length)];
          }
          if (random.nextInt(40) == 0) {
            values[offset + i] = specials[random.nextInt(specials.length)];
          }
        }
        float shift = random.nextInt(20) == 0 ? Float.NaN : (float) random.nextDouble();
        float scale = (float) random.nextDouble();
        int from = random.nextInt(count + 1);
        int expected = count;
        for (int i = from; i < count; i++) {
          float threshold = scale * slope[i] + (base[i] + shift);
          if (!(values[offset + i] < threshold)) {
            expected = i;
            break;
          }
        }
        assertEquals(
            expected,
            kernel.firstNotBelow(values, offset, base, slope, shift, scale, from, count),
            kernel.name() + ", round " + round);
      }
    }
  }

  @Test
  void int8KernelsMatchADoubleReferenceOnEveryLengthUpTo300() {
    SplittableRandom random = new SplittableRandom(29);
    for (int len = 1; len <= 300; len++) {
      int offset = random.nextInt(5);
      float[] residual = randomArray(random, len);
      float[] step = randomArray(random, len);
      byte[] codes = new byte[offset + len];
      random.nextBytes(codes);
      double square = 0;
      double dot = 0;
      double magnitude = 0;
      double squareMagnitude = 0;
      for (int i = 0; i < len; i++) {
        double decoded = (double) step[i] * codes[offset + i];
        double d = residual[i] - decoded;
        square += d * d;
        dot += residual[i] * (double) codes[offset + i];
        magnitude += Math.abs(residual[i] * (double) codes[offset + i]);
        squareMagnitude +=
            (Math.abs(residual[i]) + Math.abs(decoded))
                * (Math.abs(residual[i]) + Math.abs(decoded));
      }
      for (VectorKernel kernel : new VectorKernel[] {selected, scalar}) {
        // the bulk forms give the single-row results bit for bit (scoreAll's contract)
        byte[] rows = new byte[3 * len];
        random.nextBytes(rows);
        float[] bulk = new float[3];
        kernel.int8SquareDistances(residual, step, rows, 3, len, bulk);
        for (int v = 0; v < 3; v++) {
          assertEquals(
              kernel.int8SquareDistance(residual, step, rows, v * len, len),
              bulk[v],
              0f,
              kernel.name() + " int8SquareDistances row " + v + ", len " + len);
        }
        kernel.int8Dots(residual, rows, 3, len, bulk);
        for (int v = 0; v < 3; v++) {
          assertEquals(
              kernel.int8Dot(residual, rows, v * len, len),
              bulk[v],
              0f,
              kernel.name() + " int8Dots row " + v + ", len " + len);
        }
        assertEquals(
            square,
            kernel.int8SquareDistance(residual, step, codes, offset, len),
            1e-5 * squareMagnitude + 1e-6,
            kernel.name() + " int8SquareDistance, len " + len);
        assertEquals(
            dot,
            kernel.int8Dot(residual, codes, offset, len),
            1e-5 * magnitude + 1e-6,
            kernel.name() + " int8Dot, len " + len);
      }
    }
  }

  @Test
  void cosineToAUnitQueryOfZeroVectorsIsOne() {
    float[] zero = new float[37];
    float[] unit = unit(randomArray(new SplittableRandom(3), 37), 0, 37);
    for (VectorKernel kernel : new VectorKernel[] {selected, scalar}) {
      assertEquals(1f, kernel.cosineDistanceToUnit(unit, 0, zero, 0, 37), kernel.name());
      assertEquals(1f, kernel.cosineDistanceToUnit(zero, 0, unit, 0, 37), kernel.name());
    }
  }

  /** A copy of {@code a} whose {@code len} elements from {@code offset} have unit length. */
  private static float[] unit(float[] a, int offset, int len) {
    double norm = Math.sqrt(referenceDot(a, offset, a, offset, len));
    float[] unit = a.clone();
    for (int i = 0; i < len; i++) {
      unit[offset + i] = (float) (a[offset + i] / norm);
    }
    return unit;
  }

  @Test
  void productTablesEqualASumInOrderExactly() {
    // the reference: the scalar loop's own operations (each product rounded, added from zero in
    // dimension order); the selected kernel must give the same floats, for every width and count
    SplittableRandom random = new SplittableRandom(11);
    for (int width = 1; width <= 9; width++) {
      for (int centroids : new int[] {1, 7, 16, 33, 256}) {
        float[] query = randomArray(random, width + 3);
        float[] transposed = randomArray(random, width * centroids + 2);
        float scale = (float) (0.5 + random.nextDouble());
        for (boolean squared : new boolean[] {true, false}) {
          float[] expected = new float[centroids];
          for (int c = 0; c < centroids; c++) {
            float sum = 0f;
            for (int i = 0; i < width; i++) {
              float q = query[3 + i] * scale;
              float t = transposed[2 + i * centroids + c];
              sum = squared ? sum + (q - t) * (q - t) : sum - q * t;
            }
            expected[c] = sum;
          }
          for (VectorKernel kernel : new VectorKernel[] {selected, scalar}) {
            float[] out = new float[centroids + 4];
            java.util.Arrays.fill(out, Float.NaN); // the table overwrites, never adds to, out
            kernel.productTable(query, 3, width, scale, transposed, 2, centroids, squared, out, 4);
            float[] table = java.util.Arrays.copyOfRange(out, 4, 4 + centroids);
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                expected,
                table,
                kernel.name() + " width " + width + " centroids " + centroids + " " + squared);
          }
        }
      }
    }
  }

  @Test
  void bulkKernelsEqualTheSinglePairOnesExactly() {
    SplittableRandom random = new SplittableRandom(7);
    for (VectorKernel kernel : new VectorKernel[] {selected, scalar}) {
      for (int len : new int[] {1, 3, 15, 16, 31, 32, 33, 64, 100, 128, 129, 784, 1000}) {
        int count = 1 + random.nextInt(11);
        float[] query = randomArray(random, len + 2);
        float[] block = randomArray(random, count * len + 5);
        float[] squares = new float[count + 1];
        float[] dots = new float[count + 1];
        kernel.squareDistances(query, 2, block, 5, count, len, squares, 1);
        kernel.dots(query, 2, block, 5, count, len, dots, 1);
        for (int v = 0; v < count; v++) {
          String where = kernel.name() + " len " + len + " vector " + v;
          assertEquals(
              kernel.squareDistance(query, 2, block, 5 + v * len, len), squares[1 + v], where);
          assertEquals(kernel.dot(query, 2, block, 5 + v * len, len), dots[1 + v], where);
        }
      }
    }
  }

  @Test
  void zeroVectorHasCosineDistanceOne() {
    float[] zero = new float[37];
    float[] other = randomArray(new SplittableRandom(1), 37);
    assertEquals(1f, selected.cosineDistance(zero, 0, other, 0, 37));
    assertEquals(1f, scalar.cosineDistance(other, 0, zero, 0, 37));
    assertEquals(1f, selected.cosineDistance(zero, 0, zero, 0, 37));
  }

  private static void check(
      int len, String what, double reference, float simd, float plain, double scale) {
    // float rounding grows with the length and the magnitude of the summed terms
    double tolerance = 1e-5 * Math.sqrt(len) * Math.max(1.0, scale) + 1e-6;
    assertEquals(reference, simd, tolerance, () -> what + " (selected kernel) at length " + len);
    assertEquals(reference, plain, tolerance, () -> what + " (scalar kernel) at length " + len);
  }

  private static float[] randomArray(SplittableRandom random, int len) {
    float[] array = new float[len];
    for (int i = 0; i < len; i++) {
      array[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return array;
  }

  private static double magnitude(float[] a, int aOff, float[] b, int bOff, int len) {
    double sum = 0;
    for (int i = 0; i < len; i++) {
      sum += Math.abs((double) a[aOff + i] * b[bOff + i]);
    }
    return sum;
  }

  static double referenceDot(float[] a, int aOff, float[] b, int bOff, int len) {
    double sum = 0;
    for (int i = 0; i < len; i++) {
      sum += (double) a[aOff + i] * b[bOff + i];
    }
    return sum;
  }

  static double referenceSquare(float[] a, int aOff, float[] b, int bOff, int len) {
    double sum = 0;
    for (int i = 0; i < len; i++) {
      double d = (double) a[aOff + i] - b[bOff + i];
      sum += d * d;
    }
    return sum;
  }

  static double referenceCosine(float[] a, int aOff, float[] b, int bOff, int len) {
    double na = referenceDot(a, aOff, a, aOff, len);
    double nb = referenceDot(b, bOff, b, bOff, len);
    if (na == 0 || nb == 0) {
      return 1;
    }
    return 1 - referenceDot(a, aOff, b, bOff, len) / Math.sqrt(na * nb);
  }
}
