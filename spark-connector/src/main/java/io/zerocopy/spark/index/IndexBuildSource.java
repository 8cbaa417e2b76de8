package io.zerocopy.spark.index;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The Spark job of {@link IndexBuild#run}: a scan with one task per shard, each building its
 * shard's HNSW graph on its executor and returning one row that describes the file (the driver then
 * commits a new manifest). A scan rather than an RDD job, so the build runs as a SQL execution with
 * the "index build time" metric in the SQL tab. Internal: not registered under a short name.
 */
public final class IndexBuildSource implements TableProvider {

  static final String PATH = "path";
  static final String BUILD_ID = "buildId";
  static final String WRITE_ID = "writeId";
  static final String VERSION = "version";
  static final String M = "m";
  static final String EF_CONSTRUCTION = "efConstruction";
  static final String THREADS = "indexThreads";

  /** One row per built shard. */
  static final StructType SCHEMA =
      DataTypes.createStructType(
          new StructField[] {
            DataTypes.createStructField("shard", DataTypes.StringType, false),
            DataTypes.createStructField("file", DataTypes.StringType, false),
            DataTypes.createStructField("bytes", DataTypes.LongType, false),
            DataTypes.createStructField("crc32c", DataTypes.LongType, false),
            DataTypes.createStructField("buildNanos", DataTypes.LongType, false),
            DataTypes.createStructField("threads", DataTypes.IntegerType, false),
            DataTypes.createStructField("executor", DataTypes.StringType, false),
            DataTypes.createStructField("codesFile", DataTypes.StringType, true),
            DataTypes.createStructField("codesBytes", DataTypes.LongType, false),
            DataTypes.createStructField("codesCrc32c", DataTypes.LongType, false)
          });

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    return SCHEMA;
  }

  @Override
  public Table getTable(
      StructType schema, Transform[] partitioning, Map<String, String> properties) {
    return new BuildTable(new CaseInsensitiveStringMap(properties));
  }

  private record BuildTable(CaseInsensitiveStringMap options) implements SupportsRead {
    @Override
    public String name() {
      return "vec index build " + options.get(PATH);
    }

    @Override
    @SuppressWarnings("deprecation")
    public StructType schema() {
      return SCHEMA;
    }

    @Override
    public Set<TableCapability> capabilities() {
      return EnumSet.of(TableCapability.BATCH_READ);
    }

    @Override
    public ScanBuilder newScanBuilder(CaseInsensitiveStringMap ignored) {
      return () -> new BuildScan(options);
    }
  }

  private static final class BuildScan implements Scan, Batch {
    private final DatasetDirectory directory;
    private final String buildId;
    private final String writeId;
    private final long version;
    private final IndexSpec spec;

    BuildScan(CaseInsensitiveStringMap options) {
      directory = DatasetDirectory.of(options.get(PATH));
      buildId = options.get(BUILD_ID);
      writeId = options.get(WRITE_ID);
      version = Long.parseLong(options.get(VERSION));
      spec =
          new IndexSpec(
              Integer.parseInt(options.get(M)),
              Integer.parseInt(options.get(EF_CONSTRUCTION)),
              Integer.parseInt(options.get(THREADS)),
              IndexSpec.Quantization.parse(options.get(IndexSpec.QUANTIZATION)));
    }

    @Override
    public StructType readSchema() {
      return SCHEMA;
    }

    @Override
    public String description() {
      return "build HNSW indexes of vec dataset " + directory;
    }

    @Override
    public Batch toBatch() {
      return this;
    }

    @Override
    public InputPartition[] planInputPartitions() {
      // the version the build was planned on: versions are never replaced, and one replaced by
      // a newer commit is kept for the retention
      VecManifest manifest;
      try {
        manifest = directory.readVersion(version);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(
            directory.versionLocation(version)
                + ": cannot read the manifest version the index build was planned on: "
                + e,
            e);
      }
      if (!manifest.writeId().equals(writeId)) {
        throw new IllegalStateException(
            directory.versionLocation(version)
                + ": holds write "
                + manifest.writeId()
                + ", not "
                + writeId
                + " that the index build was planned on");
      }
      List<InputPartition> tasks = new ArrayList<>();
      for (ShardEntry shard : manifest.shards()) {
        tasks.add(new ShardTask(directory, shard, manifest.metric(), spec, buildId));
      }
      return tasks.toArray(new InputPartition[0]);
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
      return new ReaderFactory();
    }

    @Override
    public CustomMetric[] supportedCustomMetrics() {
      return IndexBuildMetrics.supported();
    }
  }

  private record ShardTask(
      DatasetDirectory directory, ShardEntry shard, Metric metric, IndexSpec spec, String buildId)
      implements InputPartition {}

  private record ReaderFactory() implements PartitionReaderFactory {
    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
      return new BuildReader((ShardTask) partition);
    }
  }

  /** Builds the shard's index on the first {@code next()}, returns one row describing it. */
  private static final class BuildReader implements PartitionReader<InternalRow> {
    private final ShardTask task;
    private ShardIndexBuilder.Built built;
    private Path staging;
    private String file;
    private boolean done;

    BuildReader(ShardTask task) {
      this.task = task;
    }

    @Override
    public boolean next() throws IOException {
      if (done) {
        return false;
      }
      TaskContext context = TaskContext.get();
      long attempt = context == null ? 0 : context.taskAttemptId();
      file = task.shard().name() + "-" + task.buildId() + "-" + attempt + ".hnsw";
      DatasetDirectory directory = task.directory();
      Path vec = directory.localFile(task.shard().vec(), false);
      if (directory.isRemote()) {
        staging = DatasetDirectory.newStagingDirectory();
      }
      Path target = directory.stagingFile(staging, file);
      try {
        built =
            ShardIndexBuilder.build(vec, target, task.metric(), task.spec(), task.shard().name());
        directory.publish(target, file);
        if (built.codes() != null) {
          directory.publish(target.resolveSibling(built.codes().file()), built.codes().file());
        }
      } catch (IOException | RuntimeException e) {
        directory.deleteQuietly(file);
        ShardIndexBuilder.codesFiles(file).forEach(directory::deleteQuietly);
        throw e;
      } finally {
        DatasetDirectory.deleteTree(staging);
      }
      done = true;
      return true;
    }

    @Override
    public InternalRow get() {
      return new GenericInternalRow(
          new Object[] {
            UTF8String.fromString(task.shard().name()),
            UTF8String.fromString(file),
            built.entry().bytes(),
            built.entry().crc32c(),
            built.buildNanos(),
            built.threads(),
            UTF8String.fromString(built.executor()),
            built.codes() == null ? null : UTF8String.fromString(built.codes().file()),
            built.codes() == null ? 0L : built.codes().bytes(),
            built.codes() == null ? 0L : built.codes().crc32c()
          });
    }

    @Override
    public CustomTaskMetric[] currentMetricsValues() {
      return IndexBuildMetrics.values(
          built == null ? 0 : built.buildMillis(), built == null ? 0 : 1);
    }

    @Override
    public void close() {}
  }
}
