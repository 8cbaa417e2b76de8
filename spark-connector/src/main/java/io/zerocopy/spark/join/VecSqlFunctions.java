package io.zerocopy.spark.join;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.hnsw.HnswParameters;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.VecManifest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.ApplyFunctionExpression;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.connector.catalog.functions.ScalarFunction;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The SQL functions {@code vec_distance(a, b[, metric])} and {@code vec_knn(path, vector, k[,
 * ef])}. Their builders check the argument types when the analyzer resolves the call and fail with
 * an {@link AnalysisException} naming the expected types; the work is done by {@link
 * ScalarFunction}s wrapped in Spark's {@link ApplyFunctionExpression} (which also casts {@code
 * array<double>} arguments to {@code array<float>}).
 */
public final class VecSqlFunctions {

  public static final String VEC_DISTANCE = "vec_distance";
  public static final String VEC_KNN = "vec_knn";

  static final String DISTANCE_USAGE =
      "vec_distance(a, b[, metric]): a and b array<float> or array<double> of the same length,"
          + " metric a constant string 'l2' (default), 'cosine' or 'dot'";

  static final String KNN_USAGE =
      "vec_knn(path, vector, k[, ef]): path a constant string (a vec dataset), vector"
          + " array<float> or array<double>, k a constant int >= 1, ef a constant int >= k";

  private static final ArrayType FLOATS = DataTypes.createArrayType(DataTypes.FloatType);

  private VecSqlFunctions() {}

  /** Builds {@code vec_distance} over resolved arguments. */
  public static Expression distance(scala.collection.immutable.Seq<Expression> arguments) {
    List<Expression> args = CollectionConverters.asJava(arguments);
    if (args.size() < 2 || args.size() > 3) {
      throw error(DISTANCE_USAGE, "got " + args.size() + " arguments");
    }
    requireVector(args.get(0), "a", DISTANCE_USAGE);
    requireVector(args.get(1), "b", DISTANCE_USAGE);
    Metric metric = Metric.L2;
    if (args.size() == 3) {
      String name = constantString(args.get(2), "metric", DISTANCE_USAGE);
      try {
        metric = Metric.parse(name);
      } catch (IllegalArgumentException e) {
        throw error(DISTANCE_USAGE, e.getMessage());
      }
    }
    return new ApplyFunctionExpression(
        new DistanceFunction(metric), NearestByJoinRule.seq(args.subList(0, 2)));
  }

  /** Builds {@code vec_knn} over resolved arguments; reads the dataset's manifest. */
  public static Expression knn(scala.collection.immutable.Seq<Expression> arguments) {
    List<Expression> args = CollectionConverters.asJava(arguments);
    if (args.size() < 3 || args.size() > 4) {
      throw error(KNN_USAGE, "got " + args.size() + " arguments");
    }
    String path = constantString(args.get(0), "path", KNN_USAGE);
    requireVector(args.get(1), "vector", KNN_USAGE);
    int k = constantInt(args.get(2), "k", KNN_USAGE);
    int ef;
    try {
      HnswParameters.checkK(k, "k");
      ef =
          HnswParameters.efOrDefault(
              args.size() == 4 ? constantInt(args.get(3), "ef", KNN_USAGE) : null, k, "ef");
    } catch (IllegalArgumentException e) {
      throw error(KNN_USAGE, e.getMessage());
    }
    DatasetDirectory directory;
    VecManifest manifest;
    try {
      directory = DatasetDirectory.of(path);
      manifest = directory.requireManifest();
      if (!DatasetSearcher.indexed(manifest)) {
        throw DatasetSearcher.notIndexed(directory, manifest);
      }
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      // not a vec dataset (no or invalid manifest, not a directory): fail at analysis
      throw error(KNN_USAGE, e.getMessage());
    }
    ShardRouting routing;
    try {
      routing = ShardRouting.fromConf(SparkSession.active(), directory, manifest);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw error(KNN_USAGE, e.getMessage());
    }
    return new ApplyFunctionExpression(
        new KnnFunction(directory, manifest, k, ef, routing),
        NearestByJoinRule.seq(List.of(args.get(1))));
  }

  static void requireVector(Expression argument, String name, String usage) {
    DataType type = argument.dataType();
    if (type instanceof ArrayType array
        && (array.elementType().equals(DataTypes.FloatType)
            || array.elementType().equals(DataTypes.DoubleType))) {
      return;
    }
    throw error(
        usage,
        "argument "
            + name
            + " ("
            + argument.sql()
            + ") has type "
            + type.simpleString()
            + ", expected array<float> or array<double>");
  }

  public static String constantString(Expression argument, String name, String usage) {
    if (!(argument.dataType() instanceof StringType) || !argument.foldable()) {
      throw error(
          usage,
          "argument "
              + name
              + " ("
              + argument.sql()
              + ") must be a constant string, got "
              + (argument.foldable() ? "" : "a non-constant ")
              + argument.dataType().simpleString());
    }
    Object value = argument.eval(null);
    if (value == null) {
      throw error(usage, "argument " + name + " is null");
    }
    return value.toString();
  }

  static int constantInt(Expression argument, String name, String usage) {
    if (!(argument.dataType() instanceof IntegerType) || !argument.foldable()) {
      throw error(
          usage,
          "argument "
              + name
              + " ("
              + argument.sql()
              + ") must be a constant int, got "
              + (argument.foldable() ? "" : "a non-constant ")
              + argument.dataType().simpleString());
    }
    Object value = argument.eval(null);
    if (value == null) {
      throw error(usage, "argument " + name + " is null");
    }
    return (Integer) value;
  }

  /**
   * An {@link AnalysisException} (checked in Java, as Scala code throws it: thrown unchecked here
   * so that the builders fit Spark's function-builder type).
   */
  public static RuntimeException error(String usage, String problem) {
    return analysisError(usage + ": " + problem, null);
  }

  /** An {@link AnalysisException} with exactly {@code message}, thrown as {@link #error} is. */
  public static RuntimeException analysisError(String message, Throwable cause) {
    // an error class, so that PySpark (which reads it) can convert the error into its own
    scala.collection.immutable.Map<String, String> parameters =
        scala.collection.immutable.Map$.MODULE$
            .<String, String>empty()
            .updated("errorMessage", message);
    throw VecSqlFunctions.<RuntimeException>unchecked(
        new AnalysisException("USER_RAISED_EXCEPTION", parameters, scala.Option.apply(cause)));
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E unchecked(Throwable error) throws E {
    throw (E) error;
  }

  private static float[] floats(ArrayData array, String name) {
    if (array.numElements() > 0 && !array.isNullAt(0)) {
      for (int i = 0; i < array.numElements(); i++) {
        if (array.isNullAt(i)) {
          throw new IllegalArgumentException(name + " has a null element at position " + i);
        }
      }
    } else if (array.numElements() > 0) {
      throw new IllegalArgumentException(name + " has a null element at position 0");
    }
    return array.toFloatArray();
  }

  /** {@code vec_distance}: the engine's distance (smaller is closer). */
  static final class DistanceFunction implements ScalarFunction<Float> {

    private static final long serialVersionUID = 1L;
    private final Metric metric;

    DistanceFunction(Metric metric) {
      this.metric = metric;
    }

    @Override
    public DataType[] inputTypes() {
      return new DataType[] {FLOATS, FLOATS};
    }

    @Override
    public DataType resultType() {
      return DataTypes.FloatType;
    }

    @Override
    public String name() {
      return VEC_DISTANCE + "_" + metric.id();
    }

    @Override
    public Float produceResult(InternalRow input) {
      if (input.isNullAt(0) || input.isNullAt(1)) {
        return null;
      }
      float[] a = floats(input.getArray(0), "vec_distance argument a");
      float[] b = floats(input.getArray(1), "vec_distance argument b");
      return Distance.calculate(a, b, metric);
    }
  }

  /** {@code vec_knn}: every shard searched through its index, results merged. */
  static final class KnnFunction implements ScalarFunction<ArrayData> {

    private static final long serialVersionUID = 1L;
    private final DatasetDirectory directory;
    private final VecManifest manifest;
    private final int k;
    private final int ef;
    private final ShardRouting routing;

    KnnFunction(
        DatasetDirectory directory, VecManifest manifest, int k, int ef, ShardRouting routing) {
      this.directory = directory;
      this.manifest = manifest;
      this.k = k;
      this.ef = ef;
      this.routing = routing;
    }

    @Override
    public DataType[] inputTypes() {
      return new DataType[] {FLOATS};
    }

    @Override
    public DataType resultType() {
      StructType neighbour =
          new StructType()
              .add("id", manifest.idType().sparkType(), false)
              .add("distance", DataTypes.FloatType, false);
      return DataTypes.createArrayType(neighbour, false);
    }

    @Override
    public String name() {
      return VEC_KNN;
    }

    @Override
    public String canonicalName() {
      return VEC_KNN
          + "("
          + directory
          + ", k="
          + k
          + ", ef="
          + ef
          + (routing != null ? ", nprobe=" + routing.nprobe() : "")
          + ")";
    }

    @Override
    public String toString() {
      return canonicalName(); // what EXPLAIN shows: the dataset, k and the ef in use
    }

    @Override
    public ArrayData produceResult(InternalRow input) {
      if (input.isNullAt(0)) {
        return null;
      }
      float[] query = floats(input.getArray(0), "vec_knn vector");
      if (query.length != manifest.dimension()) {
        throw new IllegalArgumentException(
            "vec_knn: the vector has dimension "
                + query.length
                + ", but vec dataset "
                + directory
                + " has dimension "
                + manifest.dimension());
      }
      try (DatasetSearcher.Lease lease = DatasetSearcher.acquire(directory, manifest)) {
        DatasetSearcher searcher = lease.searcher();
        float[][] queries = {query};
        List<DatasetSearcher.Hit> hits =
            (routing == null
                    ? searcher.search(queries, k, ef, null, searcher.allShards())
                    : searcher.search(queries, k, ef, null, new int[][] {routing.shards(query)}))
                .get(0);
        Object[] values = new Object[hits.size()];
        for (int i = 0; i < values.length; i++) {
          DatasetSearcher.Hit hit = hits.get(i);
          Object id = searcher.shard(hit.shard()).idRow(hit.row()).get(0);
          values[i] =
              new GenericInternalRow(
                  new Object[] {
                    id instanceof String text ? UTF8String.fromString(text) : id, hit.distance()
                  });
        }
        return new GenericArrayData(values);
      }
    }
  }

  /** A constant {@code map<string,string>} argument; an error names it and the usage. */
  public static Map<String, String> constantMap(Expression argument, String usage) {
    if (!(argument.dataType() instanceof MapType type)
        || !(type.keyType() instanceof StringType)
        || !argument.foldable()) {
      throw error(
          usage,
          "argument options ("
              + argument.sql()
              + ") must be a constant map<string,string>, got "
              + (argument.foldable() ? "" : "a non-constant ")
              + argument.dataType().simpleString());
    }
    MapData map = (MapData) argument.eval(null);
    Map<String, String> options = new TreeMap<>();
    if (map == null) {
      return options;
    }
    for (int i = 0; i < map.numElements(); i++) {
      Object value = map.valueArray().get(i, type.valueType());
      if (value == null) {
        throw error(usage, "option '" + map.keyArray().get(i, type.keyType()) + "' is null");
      }
      options.put(map.keyArray().get(i, type.keyType()).toString(), value.toString());
    }
    return options;
  }
}
