package io.zerocopy.spark.source.read;

import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.IdsFile;
import io.zerocopy.spark.dataset.PinnedFile;
import io.zerocopy.spark.dataset.ShardFiles;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Reads one {@link ShardRange} batch by batch: the id and carried columns are the Arrow record
 * batches of the {@code .ids.arrow} file (wrapped as {@link ArrowColumnVector}s), the vector column
 * is the matching block of the mapped {@code .vec} file. Only the files the pruned schema needs are
 * opened. A batch is valid until the next call to {@link #next()}.
 */
final class VecColumnarReader implements PartitionReader<ColumnarBatch> {

  private final ShardRange range;
  private final StructType schema;
  private final int vectorPosition;
  private Path vecPath;
  private Path idsPath;
  private VectorStore store;
  private FloatMatrixColumnVector vectorColumn;
  private float[] vectorBuffer;
  private IdsFile ids;
  private PinnedFile vecFile;
  private PinnedFile idsFile;
  private int batch;
  private ColumnarBatch current;
  private long rowsRead;

  VecColumnarReader(ShardRange range, StructType schema, boolean verifyChecksums) {
    this.range = range;
    this.schema = schema;
    this.batch = range.firstBatch();
    DatasetDirectory directory = range.directory();
    int position = -1;
    boolean needsIds = false;
    for (int i = 0; i < schema.fields().length; i++) {
      if (schema.fields()[i].name().equals(VecManifest.VECTOR)) {
        position = i;
      } else {
        needsIds = true;
      }
    }
    this.vectorPosition = position;
    try {
      // local files are used in place, remote ones through this executor's shard cache
      // pinned: another task's fetch must not evict a cache copy this reader has open
      if (position >= 0 || verifyChecksums) {
        vecFile = directory.pinnedFile(range.shard().vec(), verifyChecksums);
        vecPath = vecFile.path();
      }
      if (needsIds || verifyChecksums) {
        idsFile = directory.pinnedFile(range.shard().ids(), verifyChecksums);
        idsPath = idsFile.path();
      }
      if (position >= 0) {
        openVectors();
      }
      if (needsIds) {
        openIds();
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e.getMessage(), e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void openVectors() throws IOException {
    store = VectorStore.open(vecPath);
    ShardFiles.check(vecPath.toString(), store, range.shard(), range.dimension());
    vectorColumn = new FloatMatrixColumnVector(range.dimension());
    // batchRows comes from the manifest: size the buffer by the rows the .vec file really has
    int rows = (int) Math.min(range.shard().batchRows(), store.size());
    vectorBuffer = new float[Math.multiplyExact(rows, range.dimension())];
  }

  private void openIds() throws IOException {
    List<StructField> columns = new ArrayList<>();
    for (int i = 0; i < schema.fields().length; i++) {
      if (i != vectorPosition) {
        columns.add(schema.fields()[i]);
      }
    }
    ids = IdsFile.open(idsPath, range.shard(), DataTypes.createStructType(columns));
  }

  @Override
  public boolean next() throws IOException {
    if (batch >= range.firstBatch() + range.batches()) {
      return false;
    }
    int rows = range.rowsInBatch(batch);
    VectorSchemaRoot root = null;
    if (ids != null) {
      root = ids.load(batch); // row count and buffers checked
    }
    ColumnVector[] columns = new ColumnVector[schema.fields().length];
    for (int i = 0; i < columns.length; i++) {
      if (i == vectorPosition) {
        long firstRow = (long) batch * range.shard().batchRows();
        store.readBlock(firstRow, rows, vectorBuffer, 0);
        vectorColumn.reset(vectorBuffer);
        columns[i] = vectorColumn;
      } else {
        FieldVector vector = root.getVector(schema.fields()[i].name());
        if (vector == null) {
          throw new IllegalStateException(
              idsPath + ": has no column '" + schema.fields()[i].name() + "'");
        }
        columns[i] = IdsFile.column(vector);
      }
    }
    current = new ColumnarBatch(columns, rows);
    batch++;
    rowsRead += rows;
    return true;
  }

  @Override
  public ColumnarBatch get() {
    return current;
  }

  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    return VecReadMetrics.values(rowsRead);
  }

  @Override
  public void close() {
    current = null;
    if (store != null) {
      // batches hold copies of the vectors, and Spark closes a reader on its task's thread:
      // nothing reads the mapping any more, so it goes now, not at a later collection
      store.unmap();
      store = null;
    }
    if (ids != null) {
      ids.close();
      ids = null;
    }
    if (vecFile != null) {
      vecFile.close();
      vecFile = null;
    }
    if (idsFile != null) {
      idsFile.close();
      idsFile = null;
    }
  }
}
