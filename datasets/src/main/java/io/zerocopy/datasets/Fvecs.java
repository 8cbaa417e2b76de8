package io.zerocopy.datasets;

import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.engine.store.VectorStoreWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ANN-benchmark {@code .fvecs} format: per vector a little-endian int32 dimension, then that
 * many little-endian float32. Imports stream into a {@code .vec} file, one record at a time;
 * exports stream out of a mapped {@link VectorStore}. Every reader checks each record's dimension
 * and length against the file and names the file and record on failure.
 */
public final class Fvecs {

  private Fvecs() {}

  /**
   * Converts {@code fvecs} into a new {@code .vec} file at {@code vec} through the streaming
   * writer: memory use is one vector, whatever the file size. Returns the number of vectors.
   */
  public static long importToVec(Path fvecs, Path vec) throws IOException {
    try (VecsRecords in = VecsRecords.open(fvecs, "fvecs")) {
      int dimension = in.nextDimension();
      float[] vector = new float[dimension];
      try (VectorStoreWriter writer = VectorStoreWriter.create(vec, dimension)) {
        for (int d = dimension; d >= 0; d = in.nextDimension()) {
          in.readPayload(vector);
          try {
            writer.append(vector);
          } catch (IllegalArgumentException e) {
            throw new DatasetFormatException(
                fvecs, "record " + (in.records() - 1), "finite float values", e.getMessage());
          }
        }
        writer.commit();
        return writer.count();
      }
    }
  }

  /** Writes every vector of {@code store} to {@code fvecs}, atomically. Returns the count. */
  public static long export(VectorStore store, Path fvecs) throws IOException {
    int dimension = store.dimension();
    int perBlock = Math.max(1, (1 << 16) / dimension);
    float[] block = new float[perBlock * dimension];
    try (VecsRecords.AtomicOutput out = new VecsRecords.AtomicOutput(fvecs)) {
      for (long first = 0; first < store.size(); first += perBlock) {
        int n = (int) Math.min(perBlock, store.size() - first);
        store.readBlock(first, n, block, 0);
        for (int v = 0; v < n; v++) {
          ByteBuffer room = out.room(Integer.BYTES + dimension * Float.BYTES);
          room.putInt(dimension);
          room.asFloatBuffer().put(block, v * dimension, dimension);
          room.position(room.position() + dimension * Float.BYTES);
        }
      }
      out.commit();
    }
    return store.size();
  }

  /** Writes {@code vectors} (all of one dimension, at least one) to {@code fvecs}, atomically. */
  public static void write(Path fvecs, float[][] vectors) throws IOException {
    int dimension = checkRows(fvecs, vectors);
    try (VecsRecords.AtomicOutput out = new VecsRecords.AtomicOutput(fvecs)) {
      for (float[] vector : vectors) {
        ByteBuffer room = out.room(Integer.BYTES + dimension * Float.BYTES);
        room.putInt(dimension);
        room.asFloatBuffer().put(vector);
        room.position(room.position() + dimension * Float.BYTES);
      }
      out.commit();
    }
  }

  /**
   * Reads the first {@code limit} vectors of {@code fvecs} into the heap (all of them when the file
   * has fewer): for query sets, not for the data a search runs over.
   */
  public static float[][] read(Path fvecs, int limit) throws IOException {
    if (limit < 0) {
      throw new IllegalArgumentException(fvecs + ": limit must be >= 0, got " + limit);
    }
    List<float[]> rows = new ArrayList<>();
    try (VecsRecords in = VecsRecords.open(fvecs, "fvecs")) {
      for (int d = in.nextDimension(); d >= 0 && rows.size() < limit; d = in.nextDimension()) {
        float[] row = new float[d];
        in.readPayload(row);
        rows.add(row);
      }
    }
    return rows.toArray(new float[0][]);
  }

  /** Reads every vector of {@code fvecs} into the heap. */
  public static float[][] read(Path fvecs) throws IOException {
    return read(fvecs, Integer.MAX_VALUE);
  }

  static int checkRows(Path file, Object[] rows) {
    if (rows == null || rows.length == 0) {
      throw new IllegalArgumentException(file + ": nothing to write: at least one row is needed");
    }
    int dimension = -1;
    for (int i = 0; i < rows.length; i++) {
      Object row = rows[i];
      if (row == null) {
        throw new IllegalArgumentException(file + ": row " + i + " is null");
      }
      int length = row instanceof float[] ? ((float[]) row).length : ((int[]) row).length;
      if (i == 0) {
        if (length == 0) {
          throw new IllegalArgumentException(file + ": row 0 is empty");
        }
        dimension = length;
      } else if (length != dimension) {
        throw new IllegalArgumentException(
            file + ": row " + i + " has dimension " + length + ", expected " + dimension);
      }
    }
    return dimension;
  }
}
