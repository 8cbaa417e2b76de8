package io.zerocopy.spark.source.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.IdType;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task-side writer on its own, without a SparkSession. */
class VecDataWriterTest {

  @TempDir Path temp;

  private WritePlan plan(int batchRows) {
    StructType input =
        DataTypes.createStructType(
            new StructField[] {
              DataTypes.createStructField("label", DataTypes.StringType, true),
              DataTypes.createStructField("id", DataTypes.LongType, false),
              DataTypes.createStructField(
                  "v", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            });
    StructType carried = DataTypes.createStructType(new StructField[] {input.fields()[0]});
    return new WritePlan(
        DatasetDirectory.of(temp.toString()),
        "write-1",
        VectorColumn.of(input, "v"),
        "id",
        1,
        IdType.LONG,
        new int[] {0},
        carried,
        VecManifest.idsSchema(IdType.LONG, carried),
        batchRows,
        0);
  }

  private static GenericInternalRow row(long id, float... vector) {
    return new GenericInternalRow(
        new Object[] {UTF8String.fromString("label " + id), id, new GenericArrayData(vector)});
  }

  private List<String> files() throws IOException {
    try (Stream<Path> list = Files.list(temp)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesVecAndArrowFilesRowAligned() throws IOException {
    VecDataWriter writer = new VecDataWriter(plan(3), 7, 42);
    for (long id = 0; id < 8; id++) {
      writer.write(row(100 + id, id, -id));
    }
    ShardCommitMessage message = writer.commit();
    writer.close();
    ShardEntry shard = message.shard();
    assertEquals("part-00007-write-1-42", shard.name());
    assertEquals(8, shard.count());
    assertEquals(2, message.dimension());
    assertEquals("100", message.firstId());
    assertEquals(List.of(shard.ids().file(), shard.vec().file()), files());
    Path vecFile = temp.resolve(shard.vec().file());
    assertEquals(Files.size(vecFile), shard.vec().bytes());
    assertEquals(DatasetDirectory.crc32c(vecFile), shard.vec().crc32c());
    try (VectorStore store = VectorStore.open(vecFile)) {
      assertEquals(8, store.size());
      assertArrayEquals(new float[] {5, -5}, store.get(5));
    }
    Path idsFile = temp.resolve(shard.ids().file());
    assertEquals(Files.size(idsFile), shard.ids().bytes());
    assertEquals(DatasetDirectory.crc32c(idsFile), shard.ids().crc32c());
    List<Long> ids = new ArrayList<>();
    List<Integer> batchSizes = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        ArrowFileReader reader =
            new ArrowFileReader(FileChannel.open(idsFile, StandardOpenOption.READ), allocator)) {
      while (reader.loadNextBatch()) {
        BigIntVector id = (BigIntVector) reader.getVectorSchemaRoot().getVector("id");
        VarCharVector label = (VarCharVector) reader.getVectorSchemaRoot().getVector("label");
        batchSizes.add(id.getValueCount());
        for (int i = 0; i < id.getValueCount(); i++) {
          ids.add(id.get(i));
          assertEquals("label " + id.get(i), new String(label.get(i)));
        }
      }
    }
    assertEquals(List.of(100L, 101L, 102L, 103L, 104L, 105L, 106L, 107L), ids);
    assertEquals(List.of(3, 3, 2), batchSizes);
  }

  @Test
  void abortAndFailuresLeaveNoFiles() throws IOException {
    VecDataWriter aborted = new VecDataWriter(plan(2), 0, 1);
    aborted.write(row(1, 1f, 2f, 3f));
    aborted.write(row(2, 1f, 2f, 3f));
    aborted.write(row(3, 1f, 2f, 3f));
    assertTrue(!files().isEmpty());
    aborted.abort();
    aborted.close();
    assertEquals(List.of(), files());

    VecDataWriter failing = new VecDataWriter(plan(2), 0, 2);
    failing.write(row(1, 1f, 2f, 3f));
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> failing.write(row(9, 1f)));
    assertEquals(
        "vector column 'v': the row with id 9 has dimension 1, but the row with id 1 has"
            + " dimension 3",
        error.getMessage());
    failing.close(); // Spark closes without commit after a failure
    assertEquals(List.of(), files());
  }

  @Test
  void aTaskWithoutRowsWritesNothing() throws IOException {
    VecDataWriter writer = new VecDataWriter(plan(2), 3, 4);
    ShardCommitMessage message = writer.commit();
    writer.close();
    assertNull(message.shard());
    assertEquals(List.of(), files());
  }
}
