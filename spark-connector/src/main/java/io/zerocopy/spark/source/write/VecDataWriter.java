package io.zerocopy.spark.source.write;

import io.zerocopy.engine.store.AtomicFiles;
import io.zerocopy.engine.store.VecHeader;
import io.zerocopy.engine.store.VectorStoreWriter;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.FileEntry;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.index.ShardIndexBuilder;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.execution.arrow.ArrowWriter;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.util.ArrowUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one task's rows into its shard: vectors through the engine's {@link VectorStoreWriter}
 * (temporary file, renamed at commit) and ids plus carried columns as Arrow record batches of
 * {@code batchRows} rows into a temporary {@code .ids.arrow} file, renamed at commit. Files are
 * named after the write and the task attempt, so retried and speculative attempts never collide;
 * abort deletes everything the attempt wrote.
 */
final class VecDataWriter implements DataWriter<InternalRow> {

  /**
   * Test hook: a task writing this partition id fails on its first attempt after its first row, so
   * tests can check retries. Read from a system property because local-mode executors share the
   * driver's JVM.
   */
  static final String FAIL_FIRST_ATTEMPT_PROPERTY = "zcs.test.failFirstAttemptOfPartition";

  private static final Logger LOG = LoggerFactory.getLogger(VecDataWriter.class);

  private final WritePlan plan;
  private final int partitionId;
  private final String baseName;
  private final String vecFile;
  private final String idsFile;
  private final String idsTemporary;
  private final String indexFile;
  private final DataType[] carriedTypes;
  private final GenericInternalRow projected;
  private final boolean failAfterFirstRow;

  private VectorStoreWriter vectors;
  private BufferAllocator allocator;
  private VectorSchemaRoot root;
  private ArrowWriter arrowWriter;
  private ChecksummingChannel idsChannel;
  private ArrowFileWriter idsWriter;
  private int dimension;
  private String firstId;
  private long count;
  private long replicas;
  private int rowsInBatch;
  private int batchRows;
  private boolean committed;
  private boolean finished;
  private FileEntry vecEntry;
  private FileEntry idsEntry;
  private ShardIndexBuilder.Built built;
  private Path staging;

  VecDataWriter(WritePlan plan, int partitionId, long taskId) {
    this.plan = plan;
    this.partitionId = partitionId;
    this.baseName = plan.baseName(partitionId, taskId);
    this.vecFile = baseName + ".vec";
    this.idsFile = baseName + ".ids.arrow";
    this.idsTemporary = "." + idsFile + ".tmp";
    this.indexFile = baseName + ".hnsw";
    this.carriedTypes = new DataType[plan.carriedOrdinals().length];
    for (int i = 0; i < carriedTypes.length; i++) {
      carriedTypes[i] = plan.carriedSchema().fields()[i].dataType();
    }
    this.projected = new GenericInternalRow(1 + carriedTypes.length);
    TaskContext context = TaskContext.get();
    this.failAfterFirstRow =
        String.valueOf(partitionId).equals(System.getProperty(FAIL_FIRST_ATTEMPT_PROPERTY))
            && context != null
            && context.attemptNumber() == 0;
  }

  @Override
  public void write(InternalRow row) throws IOException {
    if (row.isNullAt(plan.idOrdinal())) {
      throw new IllegalArgumentException(
          "id column '"
              + plan.idColumn()
              + "' is null in row "
              + count
              + " of partition "
              + partitionId
              + ": ids must be non-null and unique");
    }
    Object id = row.get(plan.idOrdinal(), plan.idType().sparkType());
    float[] vector = plan.vectorColumn().read(row, id);
    if (vectors == null) {
      open(vector.length, id);
    }
    if (vector.length != dimension) {
      throw new IllegalArgumentException(
          "vector column '"
              + plan.vectorColumn().name()
              + "': the row with id "
              + id
              + " has dimension "
              + vector.length
              + ", but "
              + (plan.knownDimension() > 0
                  ? "the dataset has dimension " + dimension
                  : "the row with id " + firstId + " has dimension " + dimension));
    }
    for (int i = 0; i < vector.length; i++) {
      if (!Float.isFinite(vector[i])) {
        throw new IllegalArgumentException(
            "vector column '"
                + plan.vectorColumn().name()
                + "': the row with id "
                + id
                + " has a non-finite value "
                + vector[i]
                + " at index "
                + i);
      }
    }
    vectors.append(vector);
    projected.update(0, id);
    int[] carried = plan.carriedOrdinals();
    for (int i = 0; i < carried.length; i++) {
      projected.update(
          i + 1, row.isNullAt(carried[i]) ? null : row.get(carried[i], carriedTypes[i]));
    }
    arrowWriter.write(projected);
    if (plan.replicaOrdinal() >= 0 && row.getBoolean(plan.replicaOrdinal())) {
      replicas++;
    } else if (replicas > 0) {
      // ClusteredWrite sorts each partition: a cluster's own rows, then its replicas
      throw new IllegalStateException(
          "partition " + partitionId + ": the row with id " + id + " follows boundary replicas");
    }
    count++;
    if (++rowsInBatch == batchRows) {
      flushBatch();
    }
    if (failAfterFirstRow) {
      throw new IllegalStateException(
          "injected failure in the first attempt of partition " + partitionId + " (test hook)");
    }
  }

  private void open(int firstDimension, Object id) throws IOException {
    DatasetDirectory directory = plan.directory();
    dimension = plan.knownDimension() > 0 ? plan.knownDimension() : firstDimension;
    if (dimension > VecHeader.MAX_DIMENSION) {
      throw new IllegalArgumentException(
          "vector column '"
              + plan.vectorColumn().name()
              + "': the row with id "
              + id
              + " has dimension "
              + dimension
              + ", more than the maximum "
              + VecHeader.MAX_DIMENSION);
    }
    firstId = String.valueOf(id);
    // a batch of vectors is read as one float[]: keep it under 16 Mi floats (64 MiB)
    batchRows = Math.max(1, Math.min(plan.batchRows(), (1 << 24) / Math.max(1, dimension)));
    if (dimension == 0) {
      throw new IllegalArgumentException(
          "vector column '"
              + plan.vectorColumn().name()
              + "': the row with id "
              + id
              + " is empty");
    }
    if (directory.isRemote()) {
      staging = DatasetDirectory.newStagingDirectory();
    }
    vectors = VectorStoreWriter.create(local(vecFile), dimension);
    allocator =
        ArrowUtils.rootAllocator().newChildAllocator("vec writer " + baseName, 0, Long.MAX_VALUE);
    root =
        VectorSchemaRoot.create(
            ArrowUtils.toArrowSchema(plan.idsSchema(), "UTC", true, false), allocator);
    arrowWriter = ArrowWriter.create(root);
    idsChannel =
        new ChecksummingChannel(
            FileChannel.open(
                local(idsTemporary), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    idsWriter = new ArrowFileWriter(root, null, idsChannel);
    idsWriter.start();
  }

  private void flushBatch() throws IOException {
    arrowWriter.finish();
    idsWriter.writeBatch();
    arrowWriter.reset();
    rowsInBatch = 0;
  }

  /**
   * Spark 4.2 hands a task all its rows at once: once they are written, the shard is finished and,
   * with {@code index=hnsw}, indexed here, before Spark reads the task's final metrics (so the
   * index build time reaches the SQL tab) and before the commit.
   */
  @Override
  public void writeAll(Iterator<InternalRow> rows) throws IOException {
    while (rows.hasNext()) {
      write(rows.next());
    }
    finishShard();
  }

  /**
   * Flushes, fsyncs and renames the shard's files to their attempt-unique names (listed by no
   * manifest yet), then builds the index if asked. Idempotent.
   */
  private void finishShard() throws IOException {
    if (finished || count == 0) {
      return;
    }
    if (rowsInBatch > 0) {
      flushBatch();
    }
    idsWriter.end();
    idsChannel.force();
    long idsBytes = idsChannel.bytes();
    long idsCrc = idsChannel.crc32c();
    closeArrow();
    DatasetDirectory directory = plan.directory();
    AtomicFiles.moveIntoPlace(local(idsTemporary), local(idsFile));
    vectors.commit();
    Path vecPath = local(vecFile);
    long vecBytes = Files.size(vecPath);
    vecEntry = new FileEntry(vecFile, vecBytes, DatasetDirectory.crc32c(vecPath));
    idsEntry = new FileEntry(idsFile, idsBytes, idsCrc);
    LOG.info(
        "task wrote shard {}: {} vectors of dimension {}, {} + {} bytes",
        baseName,
        count,
        dimension,
        vecBytes,
        idsBytes);
    if (plan.index() != null) {
      built =
          ShardIndexBuilder.build(vecPath, local(indexFile), plan.metric(), plan.index(), baseName);
    }
    if (directory.isRemote()) {
      directory.publish(local(vecFile), vecFile);
      directory.publish(local(idsFile), idsFile);
      if (built != null) {
        directory.publish(local(indexFile), indexFile);
        if (built.codes() != null) {
          directory.publish(local(built.codes().file()), built.codes().file());
        }
      }
      DatasetDirectory.deleteTree(staging);
    }
    finished = true;
  }

  @Override
  public ShardCommitMessage commit() throws IOException {
    if (count == 0) {
      committed = true;
      return new ShardCommitMessage(partitionId, null, null, 0);
    }
    finishShard();
    committed = true;
    return new ShardCommitMessage(
        partitionId,
        new ShardEntry(
            baseName,
            count,
            batchRows,
            vecEntry,
            idsEntry,
            built == null ? null : built.entry(),
            built == null ? null : built.codes(),
            // a clustered write's input has one partition per cluster (ClusteredWrite)
            plan.centroids() != null ? partitionId : ShardEntry.UNCLUSTERED,
            replicas),
        firstId,
        dimension);
  }

  @Override
  public void abort() throws IOException {
    LOG.info("task attempt aborted: deleting shard {}", baseName);
    closeAll();
    deleteFiles();
  }

  @Override
  public void close() throws IOException {
    closeAll();
    if (!committed) {
      deleteFiles();
    }
  }

  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    long vecBytes = dimension == 0 ? 0 : VecHeader.BYTES + count * dimension * (long) Float.BYTES;
    long idsBytes = idsChannel == null ? 0 : idsChannel.bytes();
    if (plan.index() != null) {
      return VecWriteMetrics.values(
          count,
          vecBytes + idsBytes,
          built == null ? 0 : built.buildMillis(),
          built == null ? 0 : 1);
    }
    return VecWriteMetrics.values(count, vecBytes + idsBytes);
  }

  private void closeAll() throws IOException {
    try {
      closeArrow();
    } finally {
      if (vectors != null) {
        vectors.close(); // deletes its temporary file unless committed
      }
    }
  }

  private void closeArrow() throws IOException {
    try {
      if (idsWriter != null) {
        idsWriter.close();
        idsWriter = null;
      }
    } finally {
      if (idsChannel != null && idsChannel.isOpen()) {
        idsChannel.close();
      }
      if (root != null) {
        root.close();
        root = null;
      }
      if (allocator != null) {
        allocator.close();
        allocator = null;
      }
    }
  }

  /** Where this attempt writes a file: in place, or in its staging directory (remote datasets). */
  private Path local(String file) {
    return plan.directory().stagingFile(staging, file);
  }

  private void deleteFiles() {
    DatasetDirectory directory = plan.directory();
    if (staging != null) {
      DatasetDirectory.deleteTree(staging);
    }
    List<String> files = new ArrayList<>(List.of(vecFile, idsFile, idsTemporary, indexFile));
    files.addAll(ShardIndexBuilder.codesFiles(indexFile));
    for (String file : files) {
      directory.deleteQuietly(file).ifPresent(e -> LOG.warn("cannot delete {}", file, e));
    }
  }
}
