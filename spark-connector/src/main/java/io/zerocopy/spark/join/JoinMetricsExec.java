package io.zerocopy.spark.join;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.SortOrder;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.physical.Partitioning;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import org.apache.spark.sql.execution.metric.SQLMetric;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The physical form of {@link JoinMetricsNode}: returns its child's rows unchanged and lists the
 * join's {@link JoinMetrics} as its SQL metrics, which the tasks below it update.
 */
public final class JoinMetricsExec extends SparkPlan {

  private static final long serialVersionUID = 1L;

  private final SparkPlan child;
  private final JoinMetrics joinMetrics;
  private final String description;

  public JoinMetricsExec(SparkPlan child, JoinMetrics joinMetrics, String description) {
    this.child = child;
    this.joinMetrics = joinMetrics;
    this.description = description;
  }

  /** Plans {@link JoinMetricsNode}s; injected by {@code ZeroCopyExtensions}. */
  public static final class Strategy extends SparkStrategy {
    @Override
    public Seq<SparkPlan> apply(LogicalPlan plan) {
      if (plan instanceof JoinMetricsNode node) {
        SparkPlan exec =
            new JoinMetricsExec(planLater(node.child()), node.joinMetrics(), node.description());
        return CollectionConverters.asScala(List.of(exec)).toList();
      }
      return CollectionConverters.asScala(List.<SparkPlan>of()).toList();
    }
  }

  @Override
  public RDD<InternalRow> doExecute() {
    return child.execute();
  }

  @Override
  public scala.collection.immutable.Map<String, SQLMetric> metrics() {
    return scala.collection.immutable.Map.from(
        CollectionConverters.asScala(
            Map.of(
                "queries", joinMetrics.queries(),
                "shardSearches", joinMetrics.shardSearches(),
                "distances", joinMetrics.distances())));
  }

  @Override
  public Seq<Attribute> output() {
    return child.output();
  }

  @Override
  public Partitioning outputPartitioning() {
    return child.outputPartitioning();
  }

  @Override
  public Seq<SortOrder> outputOrdering() {
    return child.outputOrdering();
  }

  @Override
  public Seq<SparkPlan> children() {
    return CollectionConverters.asScala(List.of(child)).toList();
  }

  @Override
  public SparkPlan withNewChildrenInternal(IndexedSeq<SparkPlan> children) {
    return new JoinMetricsExec(children.apply(0), joinMetrics, description);
  }

  @Override
  public Seq<Object> otherCopyArgs() {
    return CollectionConverters.asScala(List.<Object>of(joinMetrics, description)).toList();
  }

  @Override
  public String nodeName() {
    return "ZeroCopyJoinMetrics";
  }

  @Override
  public scala.collection.Iterator<Object> stringArgs() {
    return CollectionConverters.asScala(List.<Object>of(description).iterator());
  }

  @Override
  public int productArity() {
    return 1;
  }

  @Override
  public Object productElement(int n) {
    if (n != 0) {
      throw new IndexOutOfBoundsException(n);
    }
    return child;
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof JoinMetricsExec;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof JoinMetricsExec exec
        && exec.child.equals(child)
        && exec.joinMetrics == joinMetrics
        && exec.description.equals(description);
  }

  @Override
  public int hashCode() {
    return Objects.hash(child, System.identityHashCode(joinMetrics), description);
  }
}
