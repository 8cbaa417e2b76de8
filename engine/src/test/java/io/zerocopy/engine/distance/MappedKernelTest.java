package io.zerocopy.engine.distance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The in-place kernels against the array kernels they stand in for: the same float, bit for bit;
 * the walk's kernels against themselves one by one and a double-precision reference.
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

  @Test
  void walkScoresFourAtOnceAsOneByOneAndCloseToTheExactValue() {
    if (mapped == null) {
      return;
    }
    SplittableRandom random = new SplittableRandom(13);
    for (int len = 1; len <= 200; len++) {
      float[] a = randomArray(random, len);
      float[] unit = unitLength(a);
      // four vectors in two buffers, at byte offsets that are no multiple of the vector size
      float[][] b = new float[4][];
      ByteBuffer[] buffers = new ByteBuffer[4];
      int[] at = new int[4];
      ByteBuffer first = ByteBuffer.allocateDirect(8 * len + 64).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer second = ByteBuffer.allocateDirect(8 * len + 64).order(ByteOrder.LITTLE_ENDIAN);
      for (int v = 0; v < 4; v++) {
        b[v] = randomArray(random, len);
        buffers[v] = v % 2 == 0 ? first : second;
        at[v] = 4 * (1 + random.nextInt(3)) + (v / 2) * (4 * len + 16);
        for (int i = 0; i < len; i++) {
          buffers[v].putFloat(at[v] + 4 * i, b[v][i]);
        }
      }
      Object[] views = {mapped.view(first), mapped.view(second), null, null};
      views[2] = views[0];
      views[3] = views[1];
      for (MappedKernel.WalkScore score : MappedKernel.WalkScore.values()) {
        float[] query = score == MappedKernel.WalkScore.COSINE_TO_UNIT ? unit : a;
        float[] out = new float[5];
        mapped.walkScores(
            score,
            query,
            len,
            buffers[0],
            views[0],
            at[0],
            buffers[1],
            views[1],
            at[1],
            buffers[2],
            views[2],
            at[2],
            buffers[3],
            views[3],
            at[3],
            out,
            1);
        for (int v = 0; v < 4; v++) {
          String where = score + ", len " + len + ", vector " + v;
          assertEquals(
              mapped.walkScore(score, query, len, buffers[v], views[v], at[v]), out[1 + v], where);
          double exact = reference(score, query, b[v]);
          assertEquals(exact, out[1 + v], 1e-5 * Math.max(1, Math.abs(exact)), where);
        }
      }
    }
  }

  @Test
  void walkScoresEightAtOnceAsOneByOne() {
    if (mapped == null || !mapped.scoresEight()) {
      return; // no eight-at-once kernel here (not 512-bit vectors)
    }
    SplittableRandom random = new SplittableRandom(29);
    float[] lanes = new float[256];
    for (int len = 1; len <= 200; len++) {
      float[] a = randomArray(random, len);
      float[] unit = unitLength(a);
      // eight vectors in one buffer, at byte offsets that are no multiple of the vector size
      ByteBuffer buffer =
          ByteBuffer.allocateDirect(8 * (4 * len + 16)).order(ByteOrder.LITTLE_ENDIAN);
      int[] at = new int[8];
      for (int v = 0; v < 8; v++) {
        at[v] = 4 * (1 + random.nextInt(3)) + v * (4 * len + 16 - 4);
        for (int i = 0; i < len; i++) {
          buffer.putFloat(at[v] + 4 * i, (float) random.nextGaussian());
        }
      }
      Object view = mapped.view(buffer);
      for (MappedKernel.WalkScore score : MappedKernel.WalkScore.values()) {
        float[] query = score == MappedKernel.WalkScore.COSINE_TO_UNIT ? unit : a;
        float[] out = new float[10];
        mapped.walkScores8(
            score, query, len, buffer, view, at[0], at[1], at[2], at[3], at[4], at[5], at[6], at[7],
            lanes, out, 2);
        for (int v = 0; v < 8; v++) {
          float one = mapped.walkScore(score, query, len, buffer, view, at[v]);
          assertEquals(
              Float.floatToRawIntBits(one),
              Float.floatToRawIntBits(out[2 + v]),
              score + ", len " + len + ", vector " + v + ": " + one + " vs " + out[2 + v]);
        }
      }
    }
  }

  @Test
  void sixteenLaneSumsAddInTheButterflyOrder() {
    if (mapped == null || PanamaKernel.LANES != 16) {
      return;
    }
    SplittableRandom random = new SplittableRandom(31);
    float[] x = new float[20];
    int orderSensitive = 0;
    for (int trial = 0; trial < 2000; trial++) {
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) ((random.nextDouble() * 2 - 1) * Math.pow(10, random.nextInt(-8, 9)));
      }
      int o = random.nextInt(5);
      float expected = PanamaKernel.sum(FloatVector.fromArray(PanamaKernel.SPECIES, x, o));
      float got = PanamaMappedKernel.sum16(x, o);
      assertEquals(
          Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got), "trial " + trial);
      float inOrder = 0;
      for (int i = o; i < o + 16; i++) {
        inOrder += x[i];
      }
      orderSensitive += inOrder != expected ? 1 : 0;
    }
    assertTrue(orderSensitive > 100, "the data tells orders apart: " + orderSensitive + " sums");
  }

  @Test
  void sumsOfFourAtOnceEqualTheButterflySumOfEachBitForBit() {
    if (mapped == null) {
      return; // the Vector API kernels do not run here
    }
    SplittableRandom random = new SplittableRandom(17);
    int lanes = PanamaKernel.LANES;
    int[] lane = {PanamaKernel.SUM0, PanamaKernel.SUM1, PanamaKernel.SUM2, PanamaKernel.SUM3};
    int orderSensitive = 0;
    for (int trial = 0; trial < 2000; trial++) {
      FloatVector[] v = new FloatVector[4];
      float[][] x = new float[4][lanes];
      for (int k = 0; k < 4; k++) {
        for (int i = 0; i < lanes; i++) {
          // magnitudes from 1e-8 to 1e8: a sum in any other order rounds differently
          x[k][i] = (float) ((random.nextDouble() * 2 - 1) * Math.pow(10, random.nextInt(-8, 9)));
        }
        v[k] = FloatVector.fromArray(PanamaKernel.SPECIES, x[k], 0);
      }
      FloatVector sums = PanamaKernel.sums4(v[0], v[1], v[2], v[3]);
      for (int k = 0; k < 4; k++) {
        float expected = PanamaKernel.sum(v[k]);
        assertEquals(
            Float.floatToRawIntBits(expected),
            Float.floatToRawIntBits(sums.lane(lane[k])),
            "trial " + trial + ", vector " + k + ": " + expected + " vs " + sums.lane(lane[k]));
        float inOrder = 0;
        for (float value : x[k]) {
          inOrder += value;
        }
        orderSensitive += inOrder != expected ? 1 : 0;
      }
    }
    assertTrue(orderSensitive > 100, "the data tells orders apart: " + orderSensitive + " sums");
  }

  @Test
  void int8CodesInPlaceEqualTheArrayKernelsBitForBitOneAndFourAtOnce() {
    if (mapped == null || PanamaKernel.CODE_SPECIES == null) {
      return; // under 8 lanes the in-place int8 kernels are never called
    }
    assertEquals(
        Runtime.version().feature() >= 22,
        mapped.readsInt8Codes(),
        "codes are read in place on JDK 22+ only");
    SplittableRandom random = new SplittableRandom(17);
    for (int len = 1; len <= 200; len++) {
      float[] weight = randomArray(random, len);
      float[] step = randomArray(random, len);
      // four rows of codes in two buffers, at odd byte offsets, as rows of a mapped codes file
      byte[][] rows = new byte[4][len];
      ByteBuffer first = ByteBuffer.allocateDirect(2 * len + 16).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer second = ByteBuffer.allocateDirect(2 * len + 16).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer[] buffers = {first, second, first, second};
      int[] at = new int[4];
      for (int v = 0; v < 4; v++) {
        random.nextBytes(rows[v]);
        at[v] = 1 + random.nextInt(7) + (v / 2) * (len + 8);
        buffers[v].put(at[v], rows[v]);
      }
      Object[] views = {mapped.view(first), mapped.view(second), null, null};
      views[2] = views[0];
      views[3] = views[1];
      for (boolean l2 : new boolean[] {true, false}) {
        float[] out = new float[6];
        mapped.int8Scores(
            weight,
            l2 ? step : null,
            len,
            buffers[0],
            views[0],
            at[0],
            buffers[1],
            views[1],
            at[1],
            buffers[2],
            views[2],
            at[2],
            buffers[3],
            views[3],
            at[3],
            out,
            2);
        for (int v = 0; v < 4; v++) {
          String where = (l2 ? "int8SquareDistance" : "int8Dot") + ", len " + len + ", row " + v;
          float array =
              l2
                  ? selected.int8SquareDistance(weight, step, rows[v], 0, len)
                  : selected.int8Dot(weight, rows[v], 0, len);
          float one =
              l2
                  ? mapped.int8SquareDistance(weight, step, buffers[v], views[v], at[v], len)
                  : mapped.int8Dot(weight, buffers[v], views[v], at[v], len);
          assertEquals(array, one, where + ", one row");
          assertEquals(array, out[2 + v], where + ", four at once");
        }
      }
    }
  }

  /** The score in double precision. */
  private static double reference(MappedKernel.WalkScore score, float[] a, float[] b) {
    double dot = 0, norm = 0, square = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      norm += (double) b[i] * b[i];
      square += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
    }
    return switch (score) {
      case SQUARE_DISTANCE -> square;
      case NEGATED_DOT -> -dot;
      case COSINE_TO_UNIT -> 1 - dot / Math.sqrt(norm);
    };
  }

  /** {@code a} scaled to length 1, as a walk prepares a cosine query. */
  private static float[] unitLength(float[] a) {
    double norm = 0;
    for (float x : a) {
      norm += (double) x * x;
    }
    float[] unit = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      unit[i] = (float) (a[i] / Math.sqrt(norm));
    }
    return unit;
  }

  private static float[] randomArray(SplittableRandom random, int n) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return values;
  }
}
