package io.zerocopy.spark;

import io.zerocopy.spark.index.IndexBuild;
import io.zerocopy.spark.index.IndexBuildResult;
import io.zerocopy.spark.join.VecSqlFunctions;
import io.zerocopy.spark.options.OptionParsing;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.apache.spark.unsafe.types.UTF8String;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@code SELECT * FROM vec_build_index(path[, map(options)])}: {@link VecDatasets#buildIndex} as a
 * table-valued function, so that SQL and Spark Connect clients (which have no JVM of their own to
 * call it in) can build a dataset's indexes. It is a command: analysis only checks the arguments;
 * the build runs when the query is executed, on the driver, as its own Spark job, and the query
 * returns one row per shard (shard, file, bytes, seconds, threads, executor). Each execution builds
 * (and commits) again.
 */
public final class IndexBuildCommand extends LogicalPlan {

  private static final long serialVersionUID = 1L;

  public static final String VEC_BUILD_INDEX = "vec_build_index";

  static final String USAGE =
      "vec_build_index(path[, options]): path a constant string (a vec dataset); options a"
          + " constant map<string,string> of m, efConstruction, indexThreads, metric";

  private final String path;
  private final TreeMap<String, String> options;
  private final Seq<Attribute> output;

  /** Public, with every field: Catalyst copies nodes by reflection. */
  public IndexBuildCommand(String path, TreeMap<String, String> options, Seq<Attribute> output) {
    this.path = path;
    this.options = options;
    this.output = output;
  }

  /** The table-valued function's builder: checks the arguments, builds nothing. */
  public static LogicalPlan build(scala.collection.immutable.Seq<Expression> arguments) {
    List<Expression> args = CollectionConverters.asJava(arguments);
    if (args.isEmpty() || args.size() > 2) {
      throw VecSqlFunctions.error(USAGE, "got " + args.size() + " arguments");
    }
    String path = VecSqlFunctions.constantString(args.get(0), "path", USAGE);
    TreeMap<String, String> options = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (args.size() == 2) {
      options.putAll(VecSqlFunctions.constantMap(args.get(1), USAGE));
    }
    try {
      OptionParsing.rejectUnknown(
          new CaseInsensitiveStringMap(options), IndexBuild.OPTIONS, VEC_BUILD_INDEX);
    } catch (IllegalArgumentException e) {
      throw VecSqlFunctions.analysisError(e.getMessage(), e);
    }
    List<Attribute> output = new ArrayList<>();
    output.add(attribute("shard", DataTypes.StringType));
    output.add(attribute("file", DataTypes.StringType));
    output.add(attribute("bytes", DataTypes.LongType));
    output.add(attribute("seconds", DataTypes.DoubleType));
    output.add(attribute("threads", DataTypes.IntegerType));
    output.add(attribute("executor", DataTypes.StringType));
    return new IndexBuildCommand(path, options, CollectionConverters.asScala(output).toList());
  }

  private static Attribute attribute(String name, DataType type) {
    return new AttributeReference(
        name,
        type,
        false,
        Metadata.empty(),
        org.apache.spark.sql.catalyst.expressions.NamedExpression$.MODULE$.newExprId(),
        CollectionConverters.asScala(List.<String>of()).toList());
  }

  @Override
  public Seq<Attribute> output() {
    return output;
  }

  @Override
  public Seq<LogicalPlan> children() {
    return CollectionConverters.asScala(List.<LogicalPlan>of()).toList();
  }

  @Override
  public LogicalPlan withNewChildrenInternal(IndexedSeq<LogicalPlan> children) {
    return this;
  }

  @Override
  public Seq<Object> otherCopyArgs() {
    return CollectionConverters.asScala(List.<Object>of(path, options, output)).toList();
  }

  @Override
  public String nodeName() {
    return "ZeroCopyBuildIndex";
  }

  @Override
  public scala.collection.Iterator<Object> stringArgs() {
    return CollectionConverters.asScala(List.<Object>of(path, options).iterator());
  }

  @Override
  public int productArity() {
    return 0;
  }

  @Override
  public Object productElement(int n) {
    throw new IndexOutOfBoundsException(n);
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof IndexBuildCommand;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof IndexBuildCommand command
        && command.path.equals(path)
        && command.options.equals(options)
        && command.output.equals(output);
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, options, output);
  }

  /** Plans the command; injected by {@link ZeroCopyExtensions}. */
  public static final class Strategy extends SparkStrategy {
    @Override
    public Seq<SparkPlan> apply(LogicalPlan plan) {
      if (plan instanceof IndexBuildCommand command) {
        SparkPlan exec = new Exec(command.path, command.options, command.output);
        return CollectionConverters.asScala(List.of(exec)).toList();
      }
      return CollectionConverters.asScala(List.<SparkPlan>of()).toList();
    }
  }

  /** Runs the build on the driver when executed; its rows are the shards' builds. */
  public static final class Exec extends SparkPlan {

    private static final long serialVersionUID = 1L;

    private final String path;
    private final TreeMap<String, String> options;
    private final Seq<Attribute> output;

    public Exec(String path, TreeMap<String, String> options, Seq<Attribute> output) {
      this.path = path;
      this.options = options;
      this.output = output;
    }

    @Override
    public RDD<InternalRow> doExecute() {
      IndexBuildResult result = IndexBuild.run(session(), path, options);
      List<InternalRow> rows = new ArrayList<>();
      // Spark's operators above read unsafe rows
      org.apache.spark.sql.catalyst.expressions.UnsafeProjection unsafe =
          org.apache.spark.sql.catalyst.expressions.UnsafeProjection.create(
              new DataType[] {
                DataTypes.StringType,
                DataTypes.StringType,
                DataTypes.LongType,
                DataTypes.DoubleType,
                DataTypes.IntegerType,
                DataTypes.StringType
              });
      for (IndexBuildResult.ShardBuild shard : result.shards()) {
        GenericInternalRow row =
            new GenericInternalRow(
                new Object[] {
                  UTF8String.fromString(shard.shard()),
                  UTF8String.fromString(shard.file()),
                  shard.bytes(),
                  shard.buildSeconds(),
                  shard.threads(),
                  UTF8String.fromString(shard.executor())
                });
        rows.add(unsafe.apply(row).copy());
      }
      return session()
          .sparkContext()
          .parallelize(
              CollectionConverters.asScala(rows).toSeq(),
              1,
              scala.reflect.ClassTag$.MODULE$.apply(InternalRow.class));
    }

    @Override
    public Seq<Attribute> output() {
      return output;
    }

    @Override
    public Seq<SparkPlan> children() {
      return CollectionConverters.asScala(List.<SparkPlan>of()).toList();
    }

    @Override
    public SparkPlan withNewChildrenInternal(IndexedSeq<SparkPlan> children) {
      return this;
    }

    @Override
    public Seq<Object> otherCopyArgs() {
      return CollectionConverters.asScala(List.<Object>of(path, options, output)).toList();
    }

    @Override
    public String nodeName() {
      return "ZeroCopyBuildIndex";
    }

    @Override
    public scala.collection.Iterator<Object> stringArgs() {
      return CollectionConverters.asScala(List.<Object>of(path, options).iterator());
    }

    @Override
    public int productArity() {
      return 0;
    }

    @Override
    public Object productElement(int n) {
      throw new IndexOutOfBoundsException(n);
    }

    @Override
    public boolean canEqual(Object other) {
      return other instanceof Exec;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Exec exec
          && exec.path.equals(path)
          && exec.options.equals(options)
          && exec.output.equals(output);
    }

    @Override
    public int hashCode() {
      return Objects.hash(path, options, output);
    }
  }
}
