package io.zerocopy.datasets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ANN-benchmark {@code .ivecs} format, used for ground-truth neighbour ids: per row a
 * little-endian int32 length, then that many little-endian int32. All rows have one length.
 */
public final class Ivecs {

  private Ivecs() {}

  /** Reads every row; each row's length and size are checked before it is allocated. */
  public static int[][] read(Path ivecs) throws IOException {
    List<int[]> rows = new ArrayList<>();
    try (VecsRecords in = VecsRecords.open(ivecs, "ivecs")) {
      for (int d = in.nextDimension(); d >= 0; d = in.nextDimension()) {
        int[] row = new int[d];
        in.readPayload(row);
        rows.add(row);
      }
    }
    return rows.toArray(new int[0][]);
  }

  /** Writes {@code rows} (all of one length, at least one row) to {@code ivecs}, atomically. */
  public static void write(Path ivecs, int[][] rows) throws IOException {
    int dimension = Fvecs.checkRows(ivecs, rows);
    try (VecsRecords.AtomicOutput out = new VecsRecords.AtomicOutput(ivecs)) {
      for (int[] row : rows) {
        ByteBuffer room = out.room(Integer.BYTES + dimension * Integer.BYTES);
        room.putInt(dimension);
        room.asIntBuffer().put(row);
        room.position(room.position() + dimension * Integer.BYTES);
      }
      out.commit();
    }
  }
}
