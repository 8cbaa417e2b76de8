package io.zerocopy.spark.index;

import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.IdsFile;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.ShardMismatchException;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.arrow.vector.FieldVector;
import org.apache.spark.sql.types.StructType;

/** The ids of a shard in row order: row i of the shard is node i of its index. */
public final class ShardIds {

  private ShardIds() {}

  /** Every id of the shard (Long, Integer or String), read from its {@code .ids.arrow} file. */
  public static Object[] read(DatasetDirectory directory, ShardEntry shard) throws IOException {
    Path file = directory.localFile(shard.ids(), false);
    Object[] ids = new Object[Math.toIntExact(shard.count())];
    int next = 0;
    // IdsFile checks batch count, row counts and buffers, so the rows fit the array
    try (IdsFile in = IdsFile.open(file, shard, new StructType())) {
      for (int batch = 0; batch < in.batches(); batch++) {
        FieldVector column = in.load(batch).getVector(VecManifest.ID);
        if (column == null) {
          throw new ShardMismatchException(file + ": has no column '" + VecManifest.ID + "'");
        }
        for (int i = 0; i < column.getValueCount(); i++) {
          Object id = column.getObject(i);
          ids[next++] = id instanceof org.apache.arrow.vector.util.Text text ? text.toString() : id;
        }
      }
    }
    return ids;
  }
}
