package io.zerocopy.spark;

import io.zerocopy.spark.join.JoinMetricsExec;
import io.zerocopy.spark.join.KnnJoinFunction;
import io.zerocopy.spark.join.NearestByJoinRule;
import io.zerocopy.spark.join.VecSqlFunctions;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import scala.Tuple3;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * The session extensions of Zero-Copy Search: {@code
 * spark.sql.extensions=io.zerocopy.spark.ZeroCopyExtensions}.
 *
 * <ul>
 *   <li>SQL functions {@code vec_distance(a, b[, metric])} and {@code vec_knn(path, vector, k[,
 *       ef])} ({@link VecSqlFunctions});
 *   <li>the table-valued function {@code vec_knn_join(queries, path, k[, options])}, the batched
 *       join of {@link io.zerocopy.spark.join.KnnJoin} from SQL ({@link KnnJoinFunction});
 *   <li>the table-valued function {@code vec_build_index(path[, options])}, {@link
 *       VecDatasets#buildIndex} from SQL and Spark Connect ({@link IndexBuildCommand});
 *   <li>{@code JOIN ... {APPROX|EXACT} NEAREST k BY ...} on vec datasets runs on our shards ({@link
 *       NearestByJoinRule}, a post-hoc resolution rule: see there why).
 * </ul>
 */
public final class ZeroCopyExtensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    extensions.injectFunction(
        new Tuple3<>(
            new FunctionIdentifier(VecSqlFunctions.VEC_DISTANCE),
            new ExpressionInfo(VecSqlFunctions.class.getName(), VecSqlFunctions.VEC_DISTANCE),
            VecSqlFunctions::distance));
    extensions.injectFunction(
        new Tuple3<>(
            new FunctionIdentifier(VecSqlFunctions.VEC_KNN),
            new ExpressionInfo(VecSqlFunctions.class.getName(), VecSqlFunctions.VEC_KNN),
            VecSqlFunctions::knn));
    extensions.injectTableFunction(
        new Tuple3<>(
            new FunctionIdentifier(KnnJoinFunction.VEC_KNN_JOIN),
            new ExpressionInfo(KnnJoinFunction.class.getName(), KnnJoinFunction.VEC_KNN_JOIN),
            KnnJoinFunction::build));
    extensions.injectTableFunction(
        new Tuple3<>(
            new FunctionIdentifier(IndexBuildCommand.VEC_BUILD_INDEX),
            new ExpressionInfo(
                IndexBuildCommand.class.getName(), IndexBuildCommand.VEC_BUILD_INDEX),
            IndexBuildCommand::build));
    extensions.injectPlannerStrategy(session -> new IndexBuildCommand.Strategy());
    extensions.injectPostHocResolutionRule(NearestByJoinRule::new);
    extensions.injectPlannerStrategy(session -> new JoinMetricsExec.Strategy());
    return BoxedUnit.UNIT;
  }
}
