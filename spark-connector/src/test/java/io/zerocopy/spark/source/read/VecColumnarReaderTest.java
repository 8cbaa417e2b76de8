package io.zerocopy.spark.source.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.IdType;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.source.write.ShardFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The columnar reader and partition planning on their own, without a SparkSession. */
class VecColumnarReaderTest {

  @TempDir Path temp;

  private VecManifest manifest(ShardEntry shard, int dimension) {
    return new VecManifest(
        1, "w", dimension, Metric.L2, "v", "id", IdType.LONG, ShardFixture.CARRIED, List.of(shard));
  }

  @Test
  void readsRangesOfBatchesWithThePrunedColumns() throws IOException {
    ShardEntry shard = ShardFixture.write(temp, 10, 3, 4); // batches of 4, 4, 2 rows
    DatasetDirectory directory = DatasetDirectory.of(temp.toString());
    VecManifest manifest = manifest(shard, 3);
    VecScan scan =
        new VecScan(directory, manifest, new VecReadOptions(null, 5, true), manifest.readSchema());
    var partitions = scan.planInputPartitions();
    assertEquals(2, partitions.length); // 5 rows per partition → 2 batches (8 rows), then 1 batch
    ShardRange second = (ShardRange) partitions[1];
    assertEquals(8, second.firstRow());

    StructType pruned =
        DataTypes.createStructType(
            new org.apache.spark.sql.types.StructField[] {
              manifest.readSchema().apply("vector"), manifest.readSchema().apply("id")
            });
    List<Long> ids = new ArrayList<>();
    try (VecColumnarReader reader = new VecColumnarReader(second, pruned, true)) {
      while (reader.next()) {
        ColumnarBatch batch = reader.get();
        for (int row = 0; row < batch.numRows(); row++) {
          long id = batch.column(1).getLong(row);
          ids.add(id);
          float i = id - 1000;
          assertArrayEquals(
              new float[] {i, 2 * i, 3 * i}, batch.column(0).getArray(row).toFloatArray());
        }
      }
      assertEquals(2, reader.currentMetricsValues()[0].value());
    }
    assertEquals(List.of(1008L, 1009L), ids);

    // labels only: the .vec file is not even opened
    StructType labels = DataTypes.createStructType(List.of(manifest.readSchema().apply("label")));
    try (VecColumnarReader reader =
        new VecColumnarReader((ShardRange) partitions[0], labels, false)) {
      assertTrue(reader.next());
      assertEquals("row 3", reader.get().column(0).getUTF8String(3).toString());
    }
  }

  @Test
  void rejectsAShardThatDisagreesWithTheManifest() throws IOException {
    ShardEntry shard = ShardFixture.write(temp, 6, 2, 4);
    DatasetDirectory directory = DatasetDirectory.of(temp.toString());
    VecManifest wrongDimension = manifest(shard, 3);
    ShardRange range = new ShardRange(directory, shard, 3, 0, 2);
    IllegalStateException error =
        assertThrows(
            IllegalStateException.class,
            () -> new VecColumnarReader(range, wrongDimension.readSchema(), false));
    assertTrue(
        error.getMessage().startsWith(directory.resolve(shard.vec().file()) + ": holds 6 vectors"),
        error.getMessage());
  }
}
