package io.zerocopy.spark.join;

import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A pass-through node above a join's {@code MapPartitions}: it changes no row, but its physical
 * form ({@link JoinMetricsExec}) owns the join's SQL metrics, so that the Spark UI's SQL tab shows
 * them (it shows only metrics of plan nodes; the join itself runs inside Spark's MapPartitions).
 * Public, with a public constructor: Catalyst copies nodes by reflection.
 */
public final class JoinMetricsNode extends LogicalPlan {

  private static final long serialVersionUID = 1L;

  private final LogicalPlan child;
  private final JoinMetrics metrics;
  private final String description;

  public JoinMetricsNode(LogicalPlan child, JoinMetrics metrics, String description) {
    this.child = child;
    this.metrics = metrics;
    this.description = description;
  }

  public LogicalPlan child() {
    return child;
  }

  JoinMetrics joinMetrics() {
    return metrics;
  }

  String description() {
    return description;
  }

  @Override
  public Seq<Attribute> output() {
    return child.output();
  }

  @Override
  public Seq<LogicalPlan> children() {
    return CollectionConverters.asScala(List.of(child)).toList();
  }

  @Override
  public LogicalPlan withNewChildrenInternal(IndexedSeq<LogicalPlan> children) {
    return new JoinMetricsNode(children.apply(0), metrics, description);
  }

  @Override
  public Seq<Object> otherCopyArgs() {
    return CollectionConverters.asScala(List.<Object>of(metrics, description)).toList();
  }

  @Override
  public String nodeName() {
    return "ZeroCopyJoinMetrics";
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
    return other instanceof JoinMetricsNode;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof JoinMetricsNode node
        && node.child.equals(child)
        && node.metrics == metrics
        && node.description.equals(description);
  }

  @Override
  public int hashCode() {
    return Objects.hash(child, System.identityHashCode(metrics), description);
  }
}
