package io.zerocopy.spark.join;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.hnsw.HnswParameters;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.join.NeighborJoinTask.Emit;
import io.zerocopy.spark.join.NeighborJoinTask.OutputColumn;
import io.zerocopy.spark.source.VecTableProvider;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression$;
import org.apache.spark.sql.catalyst.expressions.UpCast;
import org.apache.spark.sql.catalyst.expressions.VectorCosineSimilarity;
import org.apache.spark.sql.catalyst.expressions.VectorInnerProduct;
import org.apache.spark.sql.catalyst.expressions.VectorL2Distance;
import org.apache.spark.sql.catalyst.plans.LeftOuter$;
import org.apache.spark.sql.catalyst.plans.NearestByDistance$;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.NearestByJoin;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias;
import org.apache.spark.sql.catalyst.plans.logical.View;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * Runs Spark 4.2's {@code left JOIN right {APPROX|EXACT} NEAREST k BY ...} on our shards when the
 * right side is a vec dataset: {@code APPROX} through the HNSW indexes, {@code EXACT} through the
 * SIMD exact search.
 *
 * <p>It is a post-hoc resolution rule ({@code injectPostHocResolutionRule}): the analyzer runs it
 * once the plan is resolved, so it sees the {@code NearestByJoin} node with resolved attributes.
 * Spark's own {@code RewriteNearestByJoin} runs in the optimizer's first batch ({@code
 * FinishAnalysis}), and rules injected into the optimizer ({@code injectOptimizerRule}, {@code
 * injectPreCBORule}) run after it, when the node is gone; the analyzer is the only injection point
 * that sees it.
 *
 * <p>It replaces the node by {@code Project(MapPartitions(left + query vector))}: a map over the
 * left rows (no shuffle, no broadcast of the right side) whose function, {@code
 * ZeroCopyNearestJoin[...]} in EXPLAIN, searches the shards for a block of queries at a time and
 * emits the left columns plus the right side's columns of each neighbour, best first, as Spark's
 * rewrite does. The final project keeps the expression ids and the (nullable) types of {@code
 * NearestByJoin.output}.
 *
 * <p>It declines — Spark's plan runs unchanged — unless all of these hold: the right side is a vec
 * dataset (a path, a temp view, or a projection of its columns); the ranking expression is {@code
 * vector_l2_distance} with {@code DISTANCE}, or {@code vector_cosine_similarity} / {@code
 * vector_inner_product} with {@code SIMILARITY}, of the right side's vector column and an
 * expression over the left side only; and, for {@code APPROX}, every shard is indexed with the
 * function's metric (l2, cosine, dot).
 */
public final class NearestByJoinRule extends Rule<LogicalPlan> {

  private static final Logger LOG = LoggerFactory.getLogger(NearestByJoinRule.class);

  /**
   * Session setting: HNSW search breadth per shard for APPROX NEAREST, &ge; k; default max(k, 50)
   * ({@link HnswParameters#defaultEf}).
   */
  public static final String EF_CONF = "spark.zerocopy.nearest.ef";

  /** Session setting: false turns the rule off (Spark's plan runs). */
  public static final String ENABLED_CONF = "spark.zerocopy.nearest.enabled";

  static final String QUERY = "__zcs_query";

  /** The session's {@link #EF_CONF} for a join of {@code k} neighbours, checked. */
  static int ef(SparkSession session, int k) {
    String raw = session.conf().get(EF_CONF, null);
    Integer ef = null;
    if (raw != null) {
      try {
        ef = Integer.parseInt(raw.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(EF_CONF + " must be an integer, got '" + raw + "'");
      }
    }
    return HnswParameters.efOrDefault(ef, k, EF_CONF);
  }

  private final SparkSession session;

  public NearestByJoinRule(SparkSession session) {
    this.session = session;
  }

  @Override
  public String ruleName() {
    return "io.zerocopy.spark.join.NearestByJoinRule";
  }

  @Override
  public LogicalPlan apply(LogicalPlan plan) {
    if (!Boolean.parseBoolean(session.conf().get(ENABLED_CONF, "true"))
        || plan.find(node -> node instanceof NearestByJoin).isEmpty()) {
      return plan;
    }
    return rewrite(plan);
  }

  private LogicalPlan rewrite(LogicalPlan plan) {
    List<LogicalPlan> children = CollectionConverters.asJava(plan.children());
    List<LogicalPlan> rewritten = new ArrayList<>(children.size());
    boolean changed = false;
    for (LogicalPlan child : children) {
      LogicalPlan after = rewrite(child);
      changed |= after != child;
      rewritten.add(after);
    }
    LogicalPlan current = changed ? plan.withNewChildren(seq(rewritten)) : plan;
    if (current instanceof NearestByJoin join) {
      return replace(join).orElse(join);
    }
    return current;
  }

  /** What the right side is: a vec dataset and, per output attribute, the dataset column. */
  private record RightSide(
      DatasetDirectory directory, VecManifest manifest, Map<ExprId, String> columns) {}

  private Optional<LogicalPlan> replace(NearestByJoin join) {
    // Spark's CheckAnalysis rejects these on the NearestByJoin node, after this rule: leave the
    // node in place so that the user gets Spark's own error
    if (join.isStreaming()) {
      return decline(join, "a side is streaming (Spark: NEAREST_BY_JOIN.STREAMING_NOT_SUPPORTED)");
    }
    if (!SQLConf.get().crossJoinEnabled()) {
      return decline(
          join,
          "spark.sql.crossJoin.enabled is false (Spark: NEAREST_BY_JOIN.CROSS_JOIN_NOT_ENABLED)");
    }
    if (join.numResults() < 1 || join.numResults() > NearestByJoin.MaxNumResults()) {
      return decline(join, "k out of range (Spark: NEAREST_BY_JOIN.NUM_RESULTS_OUT_OF_RANGE)");
    }
    Optional<RightSide> right;
    try {
      right = rightSide(join.right());
    } catch (Declined e) {
      return decline(join, e.getMessage());
    }
    if (right.isEmpty()) {
      return Optional.empty();
    }
    VecManifest manifest = right.get().manifest();
    boolean distance = join.direction() == NearestByDistance$.MODULE$;
    Expression ranking = join.rankingExpression();
    Metric metric;
    Expression a;
    Expression b;
    if (ranking instanceof VectorL2Distance l2 && distance) {
      metric = Metric.L2;
      a = l2.left();
      b = l2.right();
    } else if (ranking instanceof VectorCosineSimilarity cosine && !distance) {
      metric = Metric.COSINE;
      a = cosine.left();
      b = cosine.right();
    } else if (ranking instanceof VectorInnerProduct dot && !distance) {
      metric = Metric.DOT;
      a = dot.left();
      b = dot.right();
    } else {
      return decline(join, "ranking is not a nearest-first vector function: " + ranking.sql());
    }
    String vectorColumn = VecManifest.VECTOR;
    Expression query;
    if (isColumn(b, right.get(), vectorColumn) && leftOnly(a, join)) {
      query = a;
    } else if (isColumn(a, right.get(), vectorColumn) && leftOnly(b, join)) {
      query = b;
    } else {
      return decline(join, "ranking does not compare the vec dataset's vector with the left side");
    }
    if (!query.deterministic()) {
      return decline(join, "the query vector expression is not deterministic");
    }
    if (join.approx()) {
      if (!DatasetSearcher.indexed(manifest)) {
        return decline(join, "the vec dataset has no HNSW index for every shard");
      }
      if (metric != manifest.metric()) {
        return decline(
            join,
            "the vec dataset is indexed for metric " + manifest.metric() + ", not " + metric.id());
      }
    }
    return Optional.of(plan(join, right.get(), query, metric));
  }

  private LogicalPlan plan(NearestByJoin join, RightSide right, Expression query, Metric metric) {
    List<Attribute> leftOutput = CollectionConverters.asJava(join.left().output());
    List<Attribute> rightOutput = CollectionConverters.asJava(join.right().output());
    Alias queryAlias = alias(query, QUERY, NamedExpression$.MODULE$.newExprId(), List.of());
    List<NamedExpression> projected = new ArrayList<>(leftOutput);
    projected.add(queryAlias);
    LogicalPlan left = new Project(seq(projected), join.left());

    // positional names: both sides may have a column of the same name (a self-join), and the
    // final project restores each attribute's own name and id
    List<StructField> fields = new ArrayList<>();
    List<Attribute> joinOutput = CollectionConverters.asJava(join.output());
    for (int i = 0; i < joinOutput.size(); i++) {
      Attribute attribute = joinOutput.get(i);
      fields.add(DataTypes.createStructField("_c" + i, attribute.dataType(), true));
    }
    List<String> carried = Arrays.asList(right.manifest().carriedSchema().fieldNames());
    List<OutputColumn> columns = new ArrayList<>();
    for (Attribute attribute : rightOutput) {
      String column = right.columns().get(attribute.exprId());
      if (column.equals(VecManifest.ID)) {
        columns.add(new OutputColumn(Emit.ID, 0));
      } else if (column.equals(VecManifest.VECTOR)) {
        columns.add(new OutputColumn(Emit.VECTOR, 0));
      } else {
        columns.add(new OutputColumn(Emit.CARRIED, carried.indexOf(column) + 1));
      }
    }
    int k = join.numResults();
    int ef = ef(session, k);
    boolean outer = join.joinType() == LeftOuter$.MODULE$;
    // routed only when approximate: EXACT NEAREST gives Spark's rows, whatever the session says
    ShardRouting routing =
        join.approx() ? ShardRouting.fromConf(session, right.directory(), right.manifest()) : null;
    String description =
        "ZeroCopyNearestJoin["
            + (join.approx() ? "APPROX hnsw ef=" + ef : "EXACT")
            + (routing != null ? " nprobe=" + routing.nprobe() : "")
            + ", k="
            + k
            + ", "
            + metric.id()
            + ", "
            + (outer ? "left outer" : "inner")
            + ", "
            + right.directory()
            + "]";
    NeighborJoinTask task =
        new NeighborJoinTask(
            right.directory(),
            right.manifest(),
            leftOutput.size(),
            new NeighborJoinTask.Settings(
                k,
                ef,
                join.approx() ? null : metric,
                outer ? NeighborJoinTask.NullVectors.OUTER : NeighborJoinTask.NullVectors.SKIP,
                1024,
                true,
                routing),
            columns,
            description,
            JoinMetrics.register(session.sparkContext()));
    int[] shards = new int[right.manifest().shards().size()];
    for (int i = 0; i < shards.length; i++) {
      shards[i] = i;
    }
    org.apache.spark.sql.classic.SparkSession classic =
        (org.apache.spark.sql.classic.SparkSession) session;
    LogicalPlan mapped =
        org.apache.spark.sql.classic.Dataset$.MODULE$
            .ofRows(classic, left)
            .mapPartitions(
                new PartitionFunction(task, shards),
                Encoders.row(DataTypes.createStructType(fields)))
            .logicalPlan();
    List<Attribute> mappedOutput = CollectionConverters.asJava(mapped.output());
    List<Attribute> wanted = CollectionConverters.asJava(join.output());
    List<NamedExpression> restored = new ArrayList<>();
    for (int i = 0; i < wanted.size(); i++) {
      Attribute target = wanted.get(i);
      restored.add(
          alias(
              mappedOutput.get(i),
              target.name(),
              target.exprId(),
              CollectionConverters.asJava(target.qualifier())));
    }
    LOG.info("NEAREST BY join runs on vec dataset {}: {}", right.directory(), description);
    return new Project(seq(restored), new JoinMetricsNode(mapped, task.metrics(), description));
  }

  /** The Scala function of MapPartitions: its toString is what EXPLAIN prints. */
  static final class PartitionFunction
      extends AbstractFunction1<scala.collection.Iterator<Row>, scala.collection.Iterator<Row>>
      implements Serializable {

    private static final long serialVersionUID = 1L;
    private final NeighborJoinTask task;
    private final int[] shards;

    PartitionFunction(NeighborJoinTask task, int[] shards) {
      this.task = task;
      this.shards = shards;
    }

    @Override
    public scala.collection.Iterator<Row> apply(scala.collection.Iterator<Row> rows) {
      return CollectionConverters.asScala(task.run(CollectionConverters.asJava(rows), shards));
    }

    @Override
    public String toString() {
      return task.toString();
    }
  }

  private Optional<LogicalPlan> decline(NearestByJoin join, String why) {
    LOG.info("NEAREST BY join left to Spark's plan: {}", why);
    return Optional.empty();
  }

  /** Why the right side, a vec dataset, cannot be taken over: logged, and Spark's plan runs. */
  private static final class Declined extends RuntimeException {
    Declined(String why) {
      super(why, null, false, false);
    }
  }

  /**
   * The vec dataset behind the right side, or empty if no vec dataset is there; throws {@link
   * Declined} saying why if there is one but something between it and the join is not a plain
   * projection of its columns.
   */
  private static Optional<RightSide> rightSide(LogicalPlan plan) {
    if (plan.find(NearestByJoinRule::isVecRelation).isEmpty()) {
      return Optional.empty();
    }
    Map<ExprId, ExprId> renames = new HashMap<>(); // outer attribute -> inner attribute
    for (Attribute attribute : CollectionConverters.asJava(plan.output())) {
      renames.put(attribute.exprId(), attribute.exprId());
    }
    LogicalPlan node = plan;
    while (true) {
      if (node instanceof SubqueryAlias alias) {
        node = alias.child();
      } else if (node instanceof View view) {
        node = view.child();
      } else if (node instanceof Project project) {
        Map<ExprId, ExprId> inner = new HashMap<>();
        for (NamedExpression named : CollectionConverters.asJava(project.projectList())) {
          if (named instanceof AttributeReference attribute) {
            inner.put(attribute.exprId(), attribute.exprId());
          } else if (named instanceof Alias alias
              && unwrapIdentityCast(alias.child()) instanceof AttributeReference attribute
              && attribute.dataType().sameType(alias.dataType())) {
            // a rename, or the cast to its own type that a view defined in SQL text adds
            inner.put(alias.exprId(), attribute.exprId());
          } else {
            throw new Declined(
                "the right side computes "
                    + ((Expression) named).sql()
                    + " over the vec dataset: only its columns, renamed or not, can be joined");
          }
        }
        Map<ExprId, ExprId> next = new HashMap<>();
        for (Map.Entry<ExprId, ExprId> entry : renames.entrySet()) {
          ExprId through = inner.get(entry.getValue());
          if (through == null) {
            throw new Declined("a right-side column is not a column of the vec dataset");
          }
          next.put(entry.getKey(), through);
        }
        renames = next;
        node = project.child();
      } else if (isVecRelation(node)) {
        break;
      } else {
        throw new Declined(
            "the right side applies "
                + node.nodeName()
                + " to the vec dataset: only its columns (through views, aliases and projections)"
                + " can be joined");
      }
    }
    Optional<String> path = Optional.empty();
    if (node instanceof DataSourceV2Relation relation) {
      path = VecTableProvider.datasetPath(relation.table());
    } else if (node instanceof LogicalRelation relation) {
      path = VecTableProvider.datasetPath(relation.relation());
    }
    if (path.isEmpty()) {
      return Optional.empty();
    }
    Map<ExprId, String> names = new HashMap<>();
    for (Attribute attribute : CollectionConverters.asJava(node.output())) {
      names.put(attribute.exprId(), attribute.name());
    }
    Map<ExprId, String> columns = new HashMap<>();
    for (Map.Entry<ExprId, ExprId> entry : renames.entrySet()) {
      String name = names.get(entry.getValue());
      if (name == null) {
        return Optional.empty();
      }
      columns.put(entry.getKey(), name);
    }
    DatasetDirectory directory = DatasetDirectory.of(path.get());
    Optional<VecManifest> manifest = directory.readManifest();
    return manifest.map(m -> new RightSide(directory, m, columns));
  }

  private static boolean isVecRelation(LogicalPlan node) {
    if (node instanceof DataSourceV2Relation relation) {
      return VecTableProvider.datasetPath(relation.table()).isPresent();
    }
    if (node instanceof LogicalRelation relation) {
      return VecTableProvider.datasetPath(relation.relation()).isPresent();
    }
    return false;
  }

  private static Expression unwrapIdentityCast(Expression expression) {
    if (expression instanceof Cast cast && cast.child().dataType().sameType(cast.dataType())) {
      return cast.child();
    }
    if (expression instanceof UpCast cast && cast.child().dataType().sameType(cast.dataType())) {
      return cast.child();
    }
    return expression;
  }

  private static boolean isColumn(Expression expression, RightSide right, String column) {
    return expression instanceof AttributeReference attribute
        && column.equals(right.columns().get(attribute.exprId()));
  }

  private static boolean leftOnly(Expression expression, NearestByJoin join) {
    return expression.references().subsetOf(join.left().outputSet());
  }

  private static Alias alias(Expression child, String name, ExprId id, List<String> qualifier) {
    return new Alias(
        child, name, id, seq(qualifier), Option.<Metadata>empty(), seq(List.<String>of()));
  }

  static <T> scala.collection.immutable.Seq<T> seq(List<T> list) {
    return CollectionConverters.asScala(list).toSeq();
  }
}
