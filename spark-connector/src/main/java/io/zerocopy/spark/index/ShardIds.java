package io.zerocopy.spark.index;

import io.zerocopy.spark.source.dataset.DatasetDirectory;
import io.zerocopy.spark.source.dataset.ShardEntry;
import io.zerocopy.spark.source.dataset.VecManifest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.spark.sql.util.ArrowUtils;

/** The ids of a shard in row order: row i of the shard is node i of its index. */
public final class ShardIds {

  private ShardIds() {}

  /** Every id of the shard (Long, Integer or String), read from its {@code .ids.arrow} file. */
  public static Object[] read(DatasetDirectory directory, ShardEntry shard) throws IOException {
    Path file = directory.localFile(shard.ids(), false);
    Object[] ids = new Object[Math.toIntExact(shard.count())];
    int next = 0;
    try (BufferAllocator allocator =
            ArrowUtils.rootAllocator().newChildAllocator("vec shard ids", 0, Long.MAX_VALUE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
      while (reader.loadNextBatch()) {
        FieldVector column = reader.getVectorSchemaRoot().getVector(VecManifest.ID);
        for (int i = 0; i < column.getValueCount(); i++) {
          Object id = column.getObject(i);
          ids[next++] = id instanceof org.apache.arrow.vector.util.Text text ? text.toString() : id;
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + ": cannot read ids: " + e.getMessage(), e);
    }
    if (next != ids.length) {
      throw new IOException(
          file + ": expected " + ids.length + " ids as the manifest says, found " + next);
    }
    return ids;
  }
}
