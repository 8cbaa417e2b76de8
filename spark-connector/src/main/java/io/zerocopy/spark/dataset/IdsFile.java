package io.zerocopy.spark.dataset;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.sql.vectorized.ArrowColumnVector;

/**
 * A shard's {@code .ids.arrow} file opened for reading, as untrusted input: the schema must be the
 * manifest's, there must be one record batch per {@code batchRows} rows, every block must lie
 * inside the file, and every loaded batch must have its expected row count and pass Arrow's full
 * validation (offsets and lengths inside their buffers) before a column is read. Arrow memory is
 * bounded by the file's size, so no header field can size an allocation. Every failure is a {@link
 * ShardMismatchException} naming the file.
 */
public final class IdsFile implements AutoCloseable {

  /**
   * Room beyond twice the file size, for buffers Arrow adds (validity bits of null-free columns).
   */
  private static final long ALLOCATION_SLACK = 16L << 20;

  private final Path file;
  private final ShardEntry shard;
  private final BufferAllocator allocator;
  private final ArrowFileReader reader;
  private final List<ArrowBlock> blocks;

  private IdsFile(
      Path file,
      ShardEntry shard,
      BufferAllocator allocator,
      ArrowFileReader reader,
      List<ArrowBlock> blocks) {
    this.file = file;
    this.shard = shard;
    this.allocator = allocator;
    this.reader = reader;
    this.blocks = blocks;
  }

  /**
   * Opens {@code file}, the ids of {@code shard}, which must hold the columns of {@code schema}.
   */
  public static IdsFile open(Path file, ShardEntry shard, StructType schema) throws IOException {
    FileChannel channel = null;
    BufferAllocator allocator = null;
    ArrowFileReader reader = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
      long size = channel.size();
      allocator =
          ArrowUtils.rootAllocator()
              .newChildAllocator("ids " + file, 0, 2 * size + ALLOCATION_SLACK);
      reader = new ArrowFileReader(channel, allocator);
      StructType found = ArrowUtils.fromArrowSchema(reader.getVectorSchemaRoot().getSchema());
      for (StructField field : schema.fields()) {
        if (found.getFieldIndex(field.name()).isEmpty()
            || !found.apply(field.name()).dataType().sameType(field.dataType())) {
          throw new ShardMismatchException(
              file
                  + ": has no column "
                  + field.name()
                  + " of type "
                  + field.dataType().simpleString()
                  + " as "
                  + "the manifest"
                  + " says; its schema is "
                  + found.simpleString());
        }
      }
      List<ArrowBlock> blocks = reader.getRecordBlocks();
      long expected = (shard.count() + shard.batchRows() - 1) / shard.batchRows();
      if (blocks.size() != expected) {
        throw new ShardMismatchException(
            file
                + ": has "
                + blocks.size()
                + " record batches, expected "
                + expected
                + " for "
                + shard.count()
                + " rows in batches of "
                + shard.batchRows());
      }
      for (int i = 0; i < blocks.size(); i++) {
        ArrowBlock block = blocks.get(i);
        if (block.getOffset() < 0
            || block.getMetadataLength() <= 0
            || block.getBodyLength() < 0
            || block.getBodyLength() > size
            || block.getOffset() + block.getMetadataLength() + block.getBodyLength() > size) {
          throw new ShardMismatchException(
              file
                  + ": record batch "
                  + i
                  + " at offset "
                  + block.getOffset()
                  + " ("
                  + block.getMetadataLength()
                  + " + "
                  + block.getBodyLength()
                  + " bytes) lies outside the file of "
                  + size
                  + " bytes");
        }
      }
      return new IdsFile(file, shard, allocator, reader, blocks);
    } catch (ShardMismatchException e) {
      closeQuietly(reader, allocator, channel);
      throw e;
    } catch (IOException | RuntimeException | AssertionError e) {
      // Arrow asserts on impossible lengths (seen with -ea): corrupt data, not a bug of ours
      closeQuietly(reader, allocator, channel);
      throw new ShardMismatchException(
          file + ": not a readable Arrow IPC file of ids: " + e.getMessage(), e);
    }
  }

  /** Record batches in the file. */
  public int batches() {
    return blocks.size();
  }

  /** Loads batch {@code index} and validates it; the root is valid until the next load or close. */
  public VectorSchemaRoot load(int index) throws IOException {
    long expected = Math.min(shard.batchRows(), shard.count() - (long) index * shard.batchRows());
    try {
      if (!reader.loadRecordBatch(blocks.get(index))) {
        throw new ShardMismatchException(file + ": cannot load record batch " + index);
      }
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      if (root.getRowCount() != expected) {
        throw new ShardMismatchException(
            file
                + ": record batch "
                + index
                + " has "
                + root.getRowCount()
                + " rows, expected "
                + expected);
      }
      for (FieldVector vector : root.getFieldVectors()) {
        ArrowValidation.validateFull(vector);
      }
      return root;
    } catch (ShardMismatchException e) {
      throw e;
    } catch (IOException | RuntimeException | AssertionError e) {
      throw new ShardMismatchException(file + ": record batch " + index + " is corrupt: " + e, e);
    }
  }

  /**
   * A Spark column over a vector of a loaded batch. Spark frees each columnar batch it has consumed
   * ({@code closeIfFreeable}); closing these vectors would close the reader's reused root, and a
   * closed struct or map vector drops its children, so the next batch cannot load into it. The root
   * is released when this file is closed.
   */
  public static ArrowColumnVector column(FieldVector vector) {
    return new ArrowColumnVector(vector) {
      @Override
      public void closeIfFreeable() {
        // the vectors belong to the reader's root, reused for the next batch
      }
    };
  }

  public Path file() {
    return file;
  }

  @Override
  public void close() {
    closeQuietly(reader, allocator, null);
  }

  private static void closeQuietly(
      ArrowFileReader reader, BufferAllocator allocator, FileChannel channel) {
    try {
      if (reader != null) {
        reader.close(); // also closes the channel
      } else if (channel != null) {
        channel.close();
      }
    } catch (IOException | RuntimeException e) {
      // nothing more to release
    } finally {
      if (allocator != null) {
        try {
          allocator.close();
        } catch (IllegalStateException e) {
          // buffers still referenced by a caller's vectors; the root allocator reports them
        }
      }
    }
  }
}
