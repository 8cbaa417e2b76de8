package io.zerocopy.engine.codes;

import io.zerocopy.engine.store.AtomicFiles;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Trains the per-dimension ranges of {@link Int8Codes} and writes a codes file. The range of a
 * dimension runs between two quantiles of a sample ({@link #CLIPPED} of the values cut off at each
 * end), so one outlier does not stretch the scale for all others; values outside are clipped.
 */
final class Int8Training {

  /** Vectors sampled, evenly spaced over the store. */
  static final int SAMPLE = 32_768;

  /** The share of sampled values outside the range at each end. */
  static final double CLIPPED = 0.0005;

  /** Dimensions whose sampled values are sorted together: bounds the heap to 8 MiB. */
  private static final int DIMENSIONS_PER_PASS = 64;

  /** Vectors encoded per write. */
  private static final int VECTORS_PER_WRITE = 1024;

  private Int8Training() {}

  /** Offsets and steps: {@code ranges[0]} offsets, {@code ranges[1]} steps. */
  static float[][] train(VectorStore store, boolean unitVectors) {
    int d = store.dimension();
    long n = store.size();
    int samples = (int) Math.min(n, SAMPLE);
    float[] offsets = new float[d];
    float[] steps = new float[d];
    if (samples == 0) {
      return new float[][] {offsets, steps};
    }
    float[] vector = new float[d];
    int group = Math.min(d, DIMENSIONS_PER_PASS);
    float[][] columns = new float[group][samples];
    for (int first = 0; first < d; first += group) {
      int width = Math.min(group, d - first);
      for (int s = 0; s < samples; s++) {
        long id = (long) ((double) s * n / samples);
        CodeRows.readVector(store, id, vector, unitVectors);
        for (int j = 0; j < width; j++) {
          float v = vector[first + j];
          columns[j][s] = Float.isFinite(v) ? v : 0f;
        }
      }
      for (int j = 0; j < width; j++) {
        float[] column = columns[j];
        Arrays.sort(column, 0, samples);
        int cut = (int) (CLIPPED * (samples - 1));
        float low = column[cut];
        float high = column[samples - 1 - cut];
        float step = (float) (((double) high - low) / 255);
        if (!(step < Float.POSITIVE_INFINITY)) {
          step = Float.MAX_VALUE / 256; // a range wider than floats span: codes keep its order
        }
        steps[first + j] = step;
        offsets[first + j] = (float) (low + 128.0 * step);
      }
    }
    return new float[][] {offsets, steps};
  }

  /** The code of {@code value} in dimension {@code i}: the nearest, clipped to the range. */
  static byte encode(float value, float offset, float step) {
    if (step == 0f || !Float.isFinite(value)) {
      return 0;
    }
    double code = Math.rint(((double) value - offset) / step);
    return (byte) Math.max(-128, Math.min(127, code));
  }

  static void write(Path target, VectorStore store, boolean unitVectors) throws IOException {
    float[][] ranges = train(store, unitVectors);
    write(target, store, unitVectors, ranges[0], ranges[1]);
  }

  /**
   * Writes the codes of all of {@code store}'s vectors with the given ranges, atomically, each with
   * its error bound ({@link Int8Codes#errorBound}).
   */
  static void write(
      Path target, VectorStore store, boolean unitVectors, float[] offsets, float[] steps)
      throws IOException {
    int d = store.dimension();
    long n = store.size();
    ByteBuffer params = ByteBuffer.allocate(8 * d).order(ByteOrder.LITTLE_ENDIAN);
    params.asFloatBuffer().put(offsets).put(steps);
    long codesOffset = Int8Codes.codesOffset(d);
    long boundsOffset = codesOffset + n * d;
    long fileSize = boundsOffset + n * Int8Codes.BOUND_BYTES;
    AtomicFiles.write(
        target,
        channel -> {
          CodeRows.writeFully(channel, params.duplicate(), Int8Codes.HEADER_BYTES);
          // zeros up to the codes, written even when there are none: the size is exact
          long paramsEnd = Int8Codes.HEADER_BYTES + 8L * d;
          CodeRows.writeFully(
              channel, ByteBuffer.allocate((int) (codesOffset - paramsEnd)), paramsEnd);
          CRC32C codesCrc = new CRC32C();
          CRC32C boundsCrc = new CRC32C();
          int perWrite = (int) Math.max(1, Math.min(VECTORS_PER_WRITE, (1 << 24) / d));
          float[] vector = new float[d];
          ByteBuffer codes = ByteBuffer.allocate(perWrite * d);
          ByteBuffer bounds = ByteBuffer.allocate(perWrite * Int8Codes.BOUND_BYTES);
          bounds.order(ByteOrder.LITTLE_ENDIAN);
          for (long first = 0; first < n; first += perWrite) {
            int count = (int) Math.min(perWrite, n - first);
            codes.clear();
            bounds.clear();
            for (int v = 0; v < count; v++) {
              CodeRows.readVector(store, first + v, vector, unitVectors);
              double squaredError = 0;
              for (int i = 0; i < d; i++) {
                byte code = encode(vector[i], offsets[i], steps[i]);
                codes.put(code);
                // the error against the value decode() gives, in its float arithmetic
                double error = (double) vector[i] - (offsets[i] + steps[i] * code);
                squaredError += error * error;
              }
              bounds.putShort(Int8Codes.boundBits(Math.sqrt(squaredError)));
            }
            codes.flip();
            bounds.flip();
            codesCrc.update(codes.duplicate());
            boundsCrc.update(bounds.duplicate());
            CodeRows.writeFully(channel, codes, codesOffset + first * d);
            CodeRows.writeFully(channel, bounds, boundsOffset + first * Int8Codes.BOUND_BYTES);
          }
          ByteBuffer header = ByteBuffer.allocate(Int8Codes.HEADER_BYTES);
          header.order(ByteOrder.LITTLE_ENDIAN);
          header.putInt(Int8Codes.MAGIC).putInt(Int8Codes.VERSION).putLong(n).putInt(d);
          header.putInt(unitVectors ? 1 : 0).putLong(Int8Codes.HEADER_BYTES).putLong(codesOffset);
          header.putLong(fileSize).putInt(CodeRows.crc(params.duplicate()));
          header.putInt((int) codesCrc.getValue()).putInt((int) boundsCrc.getValue());
          header.putInt(CodeRows.crc(header.duplicate().flip()));
          header.flip();
          CodeRows.writeFully(channel, header, 0);
        });
  }
}
