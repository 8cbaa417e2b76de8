package io.zerocopy.spark.join;

import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.join.NeighborJoinTask.Emit;
import io.zerocopy.spark.join.NeighborJoinTask.OutputColumn;
import io.zerocopy.spark.source.write.ClusteredWrite;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.Utils;
import scala.Tuple2;

/**
 * Batch k-nearest-neighbour join of a DataFrame of queries against a {@code vec} dataset.
 *
 * <pre>{@code
 * Dataset<Row> neighbours = KnnJoin.knnJoin(queries, "embedding", "/data/items.vec", 10,
 *     Map.of("ef", "100", "carriedColumns", "label"));
 * }</pre>
 *
 * The result has every query column, then {@code neighbor_id} (the dataset's id), {@code distance}
 * (the dataset's metric: l2 true distance, cosine {@code 1 - cos}, dot {@code -a·b}), {@code rank}
 * (1 = nearest; ties broken by shard then row, so results are deterministic), then the requested
 * carried columns. Options: see {@link KnnJoinOptions}.
 */
public final class KnnJoin {

  public static final String NEIGHBOR_ID = "neighbor_id";
  public static final String DISTANCE = "distance";
  public static final String RANK = "rank";

  /** Shards larger than this share of an executor's memory are searched partitioned. */
  static final double REPLICATE_MEMORY_FRACTION = 0.5;

  private static final String QID = "__zcs_qid";
  private static final String SHARD = "__zcs_shard";
  private static final String ROW = "__zcs_row";
  private static final String DUPLICATE = "__zcs_duplicate";

  private KnnJoin() {}

  /**
   * For every row of {@code queries}, its {@code k} nearest vectors in the vec dataset at {@code
   * path}.
   *
   * @param queryVectorColumn an {@code array<float>} or {@code array<double>} column of the
   *     dataset's dimension
   * @param options see {@link KnnJoinOptions}: strategy, exact, ef, onNullVector, carriedColumns
   */
  public static Dataset<Row> knnJoin(
      Dataset<Row> queries,
      String queryVectorColumn,
      String path,
      int k,
      Map<String, String> options) {
    if (queries == null) {
      throw new IllegalArgumentException("queries must not be null");
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    KnnJoinOptions parsed = KnnJoinOptions.from(options, k);
    DatasetDirectory directory = DatasetDirectory.of(path);
    VecManifest manifest = directory.requireManifest();
    StructType querySchema = queries.schema();
    int queryColumn = queryColumn(querySchema, queryVectorColumn);
    if (!parsed.exact() && !DatasetSearcher.indexed(manifest)) {
      throw DatasetSearcher.notIndexed(directory, manifest);
    }
    if (manifest.shards().isEmpty()) {
      throw new IllegalArgumentException("vec dataset " + directory + " has no vectors");
    }

    List<StructField> neighbourFields = new ArrayList<>();
    List<OutputColumn> columns = new ArrayList<>();
    neighbourFields.add(
        DataTypes.createStructField(NEIGHBOR_ID, manifest.idType().sparkType(), true));
    columns.add(new OutputColumn(Emit.ID, 0));
    neighbourFields.add(DataTypes.createStructField(DISTANCE, DataTypes.FloatType, true));
    columns.add(new OutputColumn(Emit.DISTANCE, 0));
    neighbourFields.add(DataTypes.createStructField(RANK, DataTypes.IntegerType, true));
    columns.add(new OutputColumn(Emit.RANK, 0));
    List<String> carriedNames = Arrays.asList(manifest.carriedSchema().fieldNames());
    for (String name : parsed.carriedColumns()) {
      int position = carriedNames.indexOf(name);
      if (position < 0) {
        throw new IllegalArgumentException(
            "option 'carriedColumns': vec dataset "
                + directory
                + " carries no column '"
                + name
                + "'; it carries "
                + carriedNames);
      }
      StructField field = manifest.carriedSchema().fields()[position];
      neighbourFields.add(DataTypes.createStructField(name, field.dataType(), true));
      columns.add(new OutputColumn(Emit.CARRIED, position + 1));
    }
    for (StructField field : neighbourFields) {
      if (Arrays.stream(querySchema.fieldNames()).anyMatch(field.name()::equalsIgnoreCase)) {
        throw new IllegalArgumentException(
            "the queries already have a column '"
                + field.name()
                + "', which the join adds: rename it first");
      }
    }

    KnnJoinOptions.Strategy strategy =
        parsed.strategy() == KnnJoinOptions.Strategy.AUTO
            ? chooseStrategy(queries.sparkSession(), manifest)
            : parsed.strategy();
    NeighborJoinTask.Settings settings = parsed.taskSettings(k, directory, manifest);
    String description =
        "ZeroCopyKnnJoin["
            + (parsed.exact() ? "exact " + manifest.metric() : "hnsw ef=" + parsed.ef())
            + ", k="
            + k
            + ", "
            + strategy.name().toLowerCase(java.util.Locale.ROOT)
            + (settings.routing() != null ? ", nprobe=" + settings.routing().nprobe() : "")
            + ", "
            + directory
            + "]";
    if (strategy == KnnJoinOptions.Strategy.REPLICATED) {
      NeighborJoinTask task =
          new NeighborJoinTask(
              directory,
              manifest,
              queryColumn,
              settings,
              columns,
              description,
              JoinMetrics.register(queries.sparkSession().sparkContext()));
      StructType schema = append(querySchema, neighbourFields);
      int[] all = allShards(manifest);
      return withMetrics(
          queries.mapPartitions(
              (MapPartitionsFunction<Row, Row>) rows -> task.run(rows, all), Encoders.row(schema)),
          task.metrics(),
          description);
    }
    return partitioned(
        queries, queryColumn, directory, manifest, settings, columns, neighbourFields, description);
  }

  private static Dataset<Row> partitioned(
      Dataset<Row> queries,
      int queryColumn,
      DatasetDirectory directory,
      VecManifest manifest,
      NeighborJoinTask.Settings settings,
      List<OutputColumn> columns,
      List<StructField> neighbourFields,
      String description) {
    // The cartesian product below reads the queries once per shard: they must be the same rows
    // with the same ids every time, even if the input is not deterministic (a round-robin
    // repartition, rand(), a changing source). A shuffle materializes them once.
    Dataset<Row> tagged =
        queries
            .withColumn(QID, functions.monotonically_increasing_id())
            .repartition(Math.max(1, queries.rdd().getNumPartitions()), functions.col(QID));
    List<OutputColumn> withPosition = new ArrayList<>(columns);
    withPosition.add(new OutputColumn(Emit.SHARD, 0));
    withPosition.add(new OutputColumn(Emit.ROW, 0));
    List<StructField> fields = new ArrayList<>(neighbourFields);
    fields.add(DataTypes.createStructField(SHARD, DataTypes.IntegerType, true));
    fields.add(DataTypes.createStructField(ROW, DataTypes.LongType, true));
    ShardRouting routing = settings.routing();
    // candidates carry the query's number only, not its columns (its vector among them): k rows
    // per (query, shard) would each repeat them through the shuffle; the top k join them back
    int qid = tagged.schema().fieldIndex(QID);
    NeighborJoinTask task =
        new NeighborJoinTask(
                directory,
                manifest,
                queryColumn,
                settings.unrouted(),
                withPosition,
                description,
                JoinMetrics.register(queries.sparkSession().sparkContext()))
            .emittingQueryColumns(new int[] {qid});
    SparkSession session = queries.sparkSession();
    JavaSparkContext context = JavaSparkContext.fromSparkContext(session.sparkContext());
    int shardCount = manifest.shards().size();
    // one RDD for both uses: its shuffle runs once, so both see the same rows with the same ids
    JavaRDD<Row> taggedRows = tagged.toJavaRDD();
    JavaRDD<Row> perShard =
        routing == null
            ? everyShard(taggedRows, task, context, shardCount)
            : routedShards(taggedRows, task, routing, shardCount);
    StructType schema =
        append(new StructType(new StructField[] {tagged.schema().fields()[qid]}), fields);
    Dataset<Row> candidates = session.createDataFrame(perShard, schema);
    if (manifest.hasReplicas()) {
      // an id found in its own shard and as a boundary replica elsewhere counts once; both
      // windows partition by the query, so one shuffle serves them
      candidates =
          candidates
              .repartition(functions.col(QID))
              .withColumn(
                  DUPLICATE,
                  functions
                      .row_number()
                      .over(
                          Window.partitionBy(functions.col(QID), functions.col(NEIGHBOR_ID))
                              .orderBy(
                                  functions.col(DISTANCE).asc_nulls_last(),
                                  functions.col(SHARD),
                                  functions.col(ROW))))
              .where(functions.col(DUPLICATE).equalTo(1));
    }
    org.apache.spark.sql.Column order =
        functions
            .row_number()
            .over(
                Window.partitionBy(functions.col(QID))
                    .orderBy(
                        functions.col(DISTANCE).asc_nulls_last(),
                        functions.col(SHARD),
                        functions.col(ROW)));
    List<org.apache.spark.sql.Column> neighbours = new ArrayList<>();
    neighbours.add(functions.col(QID));
    for (StructField field : neighbourFields) {
      neighbours.add(
          field.name().equals(RANK)
              ? functions.col(RANK).cast("int").as(RANK)
              : functions.col(field.name()));
    }
    Dataset<Row> nearest =
        candidates
            .withColumn(RANK, order)
            .where(functions.col(RANK).leq(settings.k()))
            .select(neighbours.toArray(new org.apache.spark.sql.Column[0]));
    List<org.apache.spark.sql.Column> output = new ArrayList<>();
    for (String name : queries.schema().fieldNames()) {
      output.add(functions.col(name));
    }
    for (StructField field : neighbourFields) {
      output.add(functions.col(field.name()));
    }
    return withMetrics(
        session
            .createDataFrame(taggedRows, tagged.schema())
            .join(nearest, QID)
            .select(output.toArray(new org.apache.spark.sql.Column[0])),
        task.metrics(),
        description);
  }

  /**
   * Routed: each query row goes only to the shards of its {@code nprobe} nearest clusters, through
   * one shuffle with a partition per shard: queries × (their shards) rows, not queries × shards.
   */
  private static JavaRDD<Row> routedShards(
      JavaRDD<Row> tagged, NeighborJoinTask task, ShardRouting routing, int shardCount) {
    return tagged
        .flatMapToPair(
            row -> {
              int[] shards = task.route(row, routing);
              Row shipped = task.forShuffle(row);
              List<Tuple2<Integer, Row>> pairs = new ArrayList<>(shards.length);
              for (int shard : shards) {
                pairs.add(new Tuple2<>(shard, shipped));
              }
              return pairs.iterator();
            })
        .partitionBy(new ClusteredWrite.ClusterPartitioner(shardCount))
        .mapPartitionsWithIndex(
            (index, pairs) -> {
              Iterator<Row> rows =
                  new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                      return pairs.hasNext();
                    }

                    @Override
                    public Row next() {
                      return pairs.next()._2();
                    }
                  };
              return task.run(rows, new int[] {index}, false);
            },
            false);
  }

  /** Unrouted: every query row with every shard (a cartesian product, one task per pair). */
  private static JavaRDD<Row> everyShard(
      JavaRDD<Row> tagged, NeighborJoinTask task, JavaSparkContext context, int shardCount) {
    List<Integer> shardList = new ArrayList<>();
    for (int i = 0; i < shardCount; i++) {
      shardList.add(i);
    }
    JavaRDD<Integer> shards = context.parallelize(shardList, shardCount);
    return tagged
        .cartesian(shards)
        .mapPartitions(
            (FlatMapFunction<Iterator<Tuple2<Row, Integer>>, Row>)
                pairs -> {
                  if (!pairs.hasNext()) {
                    return Collections.emptyIterator();
                  }
                  Tuple2<Row, Integer> first = pairs.next();
                  int[] shard = {first._2()};
                  Iterator<Row> rows =
                      new Iterator<>() {
                        private Row pending = first._1();

                        @Override
                        public boolean hasNext() {
                          return pending != null || pairs.hasNext();
                        }

                        @Override
                        public Row next() {
                          if (pending != null) {
                            Row row = pending;
                            pending = null;
                            return row;
                          }
                          return pairs.next()._1();
                        }
                      };
                  return task.run(rows, shard);
                });
  }

  /**
   * The join's rows under a {@link JoinMetricsNode}, so that its metrics show in the SQL tab; the
   * node's planner strategy is added to the session if the extensions did not bring it.
   */
  static Dataset<Row> withMetrics(Dataset<Row> joined, JoinMetrics metrics, String description) {
    org.apache.spark.sql.classic.SparkSession session =
        (org.apache.spark.sql.classic.SparkSession) joined.sparkSession();
    boolean planned =
        scala.jdk.javaapi.CollectionConverters.asJava(session.sessionState().planner().strategies())
            .stream()
            .anyMatch(strategy -> strategy instanceof JoinMetricsExec.Strategy);
    if (!planned) {
      synchronized (KnnJoin.class) {
        List<org.apache.spark.sql.execution.SparkStrategy> extra =
            new ArrayList<>(
                scala.jdk.javaapi.CollectionConverters.asJava(
                    session.experimental().extraStrategies()));
        if (extra.stream().noneMatch(strategy -> strategy instanceof JoinMetricsExec.Strategy)) {
          extra.add(new JoinMetricsExec.Strategy());
          session
              .experimental()
              .extraStrategies_$eq(scala.jdk.javaapi.CollectionConverters.asScala(extra).toList());
        }
      }
    }
    return org.apache.spark.sql.classic.Dataset$.MODULE$.ofRows(
        session,
        new JoinMetricsNode(
            ((org.apache.spark.sql.classic.Dataset<Row>) joined).logicalPlan(),
            metrics,
            description));
  }

  /**
   * The strategy for {@code auto}: {@code replicated} when the dataset has one shard, or when its
   * vectors and indexes together take at most half of an executor's memory ({@code
   * spark.executor.memory}, default 1g) — every executor then maps every shard and no shuffle is
   * needed; otherwise {@code partitioned}, so that each task maps a single shard.
   */
  static KnnJoinOptions.Strategy chooseStrategy(SparkSession session, VecManifest manifest) {
    if (manifest.shards().size() <= 1) {
      return KnnJoinOptions.Strategy.REPLICATED;
    }
    long bytes = 0;
    for (ShardEntry shard : manifest.shards()) {
      bytes +=
          shard.vec().bytes()
              + (shard.index() != null ? shard.index().bytes() : 0)
              + (shard.codes() != null ? shard.codes().bytes() : 0);
    }
    long executorMemory =
        Utils.byteStringAsBytes(session.conf().get("spark.executor.memory", "1g"));
    return bytes <= executorMemory * REPLICATE_MEMORY_FRACTION
        ? KnnJoinOptions.Strategy.REPLICATED
        : KnnJoinOptions.Strategy.PARTITIONED;
  }

  static int queryColumn(StructType schema, String name) {
    if (name == null || !Arrays.asList(schema.fieldNames()).contains(name)) {
      throw new IllegalArgumentException(
          "the queries have no column '"
              + name
              + "' (option 'vectorColumn'); they have "
              + Arrays.toString(schema.fieldNames()));
    }
    int position = schema.fieldIndex(name);
    DataType type = schema.fields()[position].dataType();
    if (!(type instanceof ArrayType array)
        || !(array.elementType().equals(DataTypes.FloatType)
            || array.elementType().equals(DataTypes.DoubleType))) {
      throw new IllegalArgumentException(
          "query vector column '"
              + name
              + "' has type "
              + type.simpleString()
              + ": expected array<float> or array<double>");
    }
    return position;
  }

  private static int[] allShards(VecManifest manifest) {
    int[] all = new int[manifest.shards().size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    return all;
  }

  private static StructType append(StructType schema, List<StructField> fields) {
    List<StructField> all = new ArrayList<>(Arrays.asList(schema.fields()));
    all.addAll(fields);
    return DataTypes.createStructType(all);
  }
}
