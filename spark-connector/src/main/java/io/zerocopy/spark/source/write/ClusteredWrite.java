package io.zerocopy.spark.source.write;

import io.zerocopy.engine.cluster.Centroids;
import io.zerocopy.engine.cluster.CentroidsFile;
import io.zerocopy.engine.cluster.KMeans;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * {@code partitioning=kmeans}: shards made of clusters of similar vectors, so that a search can
 * visit only the shards whose centres are nearest to its query.
 *
 * <p>On the driver, before the write job: a uniform sample of about {@value
 * KMeans#SAMPLE_PER_CLUSTER} rows per shard trains {@code shards} centres ({@link KMeans}: greedy
 * k-means++, at most {@value KMeans#DEFAULT_ITERATIONS} Lloyd iterations, a cluster over twice the
 * mean size on the sample split, so there may be a few more shards than asked); the centres go to a
 * {@code part-centroids-<uuid>.centroids} file in the dataset. Then every row goes to its nearest
 * centre through one shuffle with one partition per cluster, and each write task writes its cluster
 * as one shard, as an unclustered write writes its partition. An append to a clustered dataset
 * routes its rows by the dataset's own centres (no training), each cluster's new rows a new shard
 * of that cluster.
 *
 * <p>With {@code boundaryReplicas} ε > 0, a row also goes to up to {@value #MAX_REPLICAS} more
 * clusters whose centre is within (1 + ε) × the distance to its own centre (SPANN's closure
 * assignment): each write task gets its cluster's own rows first, then those copies, flagged in the
 * internal column {@link VecWriteOptions#REPLICA_COLUMN}, and writes them at the end of its shard.
 */
public final class ClusteredWrite {

  private static final Logger LOG = LoggerFactory.getLogger(ClusteredWrite.class);

  /** The seed of the sample and of k-means: a dataset written twice gets the same shards. */
  static final long SEED = 42;

  /** At most this many boundary replicas per row (SPANN uses up to 8 copies in all). */
  public static final int MAX_REPLICAS = 3;

  private ClusteredWrite() {}

  /**
   * The rows to write, one partition per cluster, and the internal option naming the centroids; or
   * {@code data} unchanged for an unclustered write.
   *
   * @param existing the dataset's manifest if the write appends to it
   */
  public static Dataset<Row> prepare(
      Dataset<Row> data,
      VecWriteOptions options,
      DatasetDirectory directory,
      Optional<VecManifest> existing,
      Map<String, String> v2Options) {
    boolean kmeans = options.partitioning() == VecWriteOptions.Partitioning.KMEANS;
    VecManifest base = existing.orElse(null);
    if (base != null && base.clustered()) {
      if (options.shards() > 0) {
        throw new IllegalArgumentException(
            "option 'shards': "
                + directory
                + " is clustered already; an append routes its rows to the dataset's own "
                + "clusters (leave the option out, or overwrite to re-cluster)");
      }
      if (options.boundaryReplicas() != base.boundaryReplicas()
          && options.boundaryReplicas() != 0) {
        throw new IllegalArgumentException(
            "option '"
                + VecWriteOptions.BOUNDARY_REPLICAS
                + "': "
                + directory
                + " is clustered with boundaryReplicas "
                + base.boundaryReplicas()
                + ", which an append follows (leave the option out, or overwrite to change it)");
      }
      Centroids centroids = directory.readCentroids(base.centroids());
      v2Options.put(VecWriteOptions.CENTROIDS, base.centroids().file());
      return partition(data, options, centroids, base.boundaryReplicas(), v2Options);
    }
    if (!kmeans) {
      return data;
    }
    if (base != null && !base.shards().isEmpty()) {
      throw new IllegalArgumentException(
          "option 'partitioning'=kmeans: cannot append clustered rows to "
              + directory
              + ", whose shards are not clustered (a routed search would miss them): overwrite"
              + " it with partitioning=kmeans instead");
    }
    VectorColumn column = VectorColumn.of(data.schema(), options.vectorColumn());
    int shards = options.shards() > 0 ? options.shards() : data.rdd().getNumPartitions();
    long total = data.count();
    if (total == 0) {
      return data; // nothing to cluster: an empty dataset, as unclustered
    }
    int clusters = (int) Math.min(shards, total);
    double fraction = Math.min(1.0, 1.2 * clusters * KMeans.SAMPLE_PER_CLUSTER / total);
    int ordinal = column.ordinal();
    List<float[]> sample =
        classic(data)
            .sample(false, fraction, SEED)
            .queryExecution()
            .toRdd()
            .toJavaRDD()
            .filter(row -> !row.isNullAt(ordinal))
            .map(row -> column.read(row, "(sampled)"))
            .collect();
    if (sample.isEmpty()) {
      return data; // every vector is null: the write names the first such row
    }
    Metric metric =
        options.metric() != null ? options.metric() : base != null ? base.metric() : Metric.L2;
    int k = Math.min(clusters, sample.size());
    int cap = 2 * (int) Math.ceil((double) sample.size() / k);
    long started = System.nanoTime();
    KMeans.Result trained;
    try {
      trained =
          KMeans.train(
              sample.toArray(new float[0][]),
              KMeans.Options.of(k, metric).withSeed(SEED).withMaxClusterSize(cap));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "vector column '" + column.name() + "': cannot cluster the sample: " + e.getMessage(), e);
    }
    LOG.info(
        "k-means for {}: {} centres ({} asked, {} split) from {} sampled rows of {}, {} iterations"
            + " in {} ms",
        directory,
        trained.centroids().count(),
        shards,
        trained.splits(),
        sample.size(),
        total,
        trained.iterations(),
        (System.nanoTime() - started) / 1_000_000);
    String file = VecManifest.centroidsFile(UUID.randomUUID().toString());
    write(directory, file, trained.centroids());
    v2Options.put(VecWriteOptions.CENTROIDS, file);
    return partition(data, options, trained.centroids(), options.boundaryReplicas(), v2Options);
  }

  /**
   * One partition per centre, partition c holding the rows whose nearest centre is c, then (with
   * replicas) the boundary replicas routed to c, flagged.
   */
  private static Dataset<Row> partition(
      Dataset<Row> data,
      VecWriteOptions options,
      Centroids centroids,
      double epsilon,
      Map<String, String> v2Options) {
    VectorColumn column = VectorColumn.of(data.schema(), options.vectorColumn());
    int clusters = centroids.count();
    if (epsilon > 0) {
      v2Options.put(VecWriteOptions.REPLICAS, Double.toString(epsilon));
      return withReplicas(data, column, centroids, epsilon);
    }
    JavaRDD<InternalRow> rows =
        classic(data)
            .queryExecution()
            .toRdd()
            .toJavaRDD()
            .mapToPair(row -> new Tuple2<>(clusterOf(row, column, centroids), row.copy()))
            .partitionBy(new ClusterPartitioner(clusters))
            .values();
    return classic(data).sparkSession().internalCreateDataFrame(rows.rdd(), data.schema(), false);
  }

  private static Dataset<Row> withReplicas(
      Dataset<Row> data, VectorColumn column, Centroids centroids, double epsilon) {
    StructType schema = data.schema();
    DataType[] types = new DataType[schema.size()];
    for (int i = 0; i < types.length; i++) {
      types[i] = schema.fields()[i].dataType();
    }
    // key = 2 × cluster (+ 1 for a replica): sorting a partition by key puts its own rows first
    JavaRDD<InternalRow> rows =
        classic(data)
            .queryExecution()
            .toRdd()
            .toJavaRDD()
            .flatMapToPair(
                row -> {
                  int[] targets = clustersOf(row, column, centroids, epsilon);
                  List<Tuple2<Long, InternalRow>> copies = new ArrayList<>(targets.length);
                  for (int i = 0; i < targets.length; i++) {
                    copies.add(
                        new Tuple2<>(
                            2L * targets[i] + (i > 0 ? 1 : 0), flagged(row, types, i > 0)));
                  }
                  return copies.iterator();
                })
            .repartitionAndSortWithinPartitions(new ClusterPartitioner(centroids.count()))
            .values();
    StructType flaggedSchema =
        schema.add(VecWriteOptions.REPLICA_COLUMN, DataTypes.BooleanType, false);
    return classic(data).sparkSession().internalCreateDataFrame(rows.rdd(), flaggedSchema, false);
  }

  /** A copy of {@code row} with the replica flag appended. */
  private static InternalRow flagged(InternalRow row, DataType[] types, boolean replica) {
    Object[] values = new Object[types.length + 1];
    for (int i = 0; i < types.length; i++) {
      values[i] = row.isNullAt(i) ? null : row.get(i, types[i]);
    }
    values[types.length] = replica;
    return new GenericInternalRow(values).copy();
  }

  /** A row's clusters with replicas, its own first; {@code {0}} for a row the write will reject. */
  private static int[] clustersOf(
      InternalRow row, VectorColumn column, Centroids centroids, double epsilon) {
    if (row.isNullAt(column.ordinal())) {
      return new int[] {0};
    }
    try {
      return centroids.assignWithReplicas(column.read(row, "(clustered)"), epsilon, MAX_REPLICAS);
    } catch (IllegalArgumentException e) {
      return new int[] {0};
    }
  }

  /**
   * A row's cluster; 0 for a row the write will reject (null or malformed vector, another
   * dimension): the write task names it with its id.
   */
  private static int clusterOf(InternalRow row, VectorColumn column, Centroids centroids) {
    if (row.isNullAt(column.ordinal())) {
      return 0;
    }
    try {
      return centroids.assign(column.read(row, "(clustered)"));
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }

  /**
   * Partition = key: each cluster's rows in the partition of its number (and, in routed joins, each
   * shard's queries in the partition of its position). A {@code Long} key is 2 × cluster, plus 1
   * for a boundary replica: its partition is the cluster's, and sorting by key puts the cluster's
   * own rows first.
   */
  public static final class ClusterPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int clusters;

    public ClusterPartitioner(int clusters) {
      this.clusters = clusters;
    }

    @Override
    public int numPartitions() {
      return clusters;
    }

    @Override
    public int getPartition(Object key) {
      return key instanceof Long replicaKey ? (int) (replicaKey >>> 1) : (Integer) key;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof ClusterPartitioner that && that.clusters == clusters;
    }

    @Override
    public int hashCode() {
      return clusters;
    }
  }

  private static void write(DatasetDirectory directory, String file, Centroids centroids) {
    directory.createDirectories();
    Path staging = null;
    try {
      if (directory.isRemote()) {
        staging = DatasetDirectory.newStagingDirectory();
      }
      Path local = directory.stagingFile(staging, file);
      CentroidsFile.write(local, centroids);
      directory.publish(local, file);
    } catch (IOException e) {
      throw new UncheckedIOException(
          directory.location(file) + ": cannot write the centroids: " + e.getMessage(), e);
    } finally {
      DatasetDirectory.deleteTree(staging);
    }
  }

  private static org.apache.spark.sql.classic.Dataset<Row> classic(Dataset<Row> data) {
    return (org.apache.spark.sql.classic.Dataset<Row>) data;
  }
}
