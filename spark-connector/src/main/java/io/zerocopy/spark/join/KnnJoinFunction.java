package io.zerocopy.spark.join;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.FunctionTableSubqueryArgumentExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.classic.SparkSession;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The SQL table-valued function {@code vec_knn_join}: {@link KnnJoin#knnJoin} from SQL, so that
 * every language (and Spark Connect, which sends SQL text) gets the same batched join.
 *
 * <pre>{@code
 * SELECT * FROM vec_knn_join(TABLE(queries), '/data/items.vec', 10,
 *     map('vectorColumn', 'qv', 'strategy', 'partitioned', 'carriedColumns', 'label'))
 * }</pre>
 *
 * Arguments: the queries, as {@code TABLE(name)}, {@code TABLE(SELECT ...)} or the name of a table
 * or view as a constant string; the dataset path; k; optionally a map of options: those of {@link
 * KnnJoinOptions} (same names, same errors) and {@code vectorColumn}, the queries' vector column
 * (default {@code embedding}). The rows and columns are those of {@link KnnJoin#knnJoin}.
 *
 * <p>Why TABLE(...): a builder registered through {@code injectTableFunction} gets only
 * expressions, and Spark 4.2 hands it a {@code TABLE(...)} argument as a resolved subquery
 * expression whose plan we can join, so any relation works without a view. The name form is kept
 * for callers that can only pass literals. The builder returns the analyzed plan of the Dataset
 * that {@link KnnJoin#knnJoin} builds, so the queries are resolved once, when the call is analyzed:
 * dropping a view afterwards does not change the result. Bad arguments fail at analysis, as an
 * {@code AnalysisException} that carries {@link KnnJoin#knnJoin}'s {@link IllegalArgumentException}
 * (its message and, as cause, itself).
 */
public final class KnnJoinFunction {

  public static final String VEC_KNN_JOIN = "vec_knn_join";

  /** The option of the SQL form naming the queries' vector column. */
  static final String VECTOR_COLUMN = "vectorColumn";

  static final String DEFAULT_VECTOR_COLUMN = "embedding";

  static final String USAGE =
      "vec_knn_join(queries, path, k[, options]): queries TABLE(...) or a constant string naming a"
          + " table or view; path a constant string (a vec dataset); k a constant int >= 1;"
          + " options a constant map<string,string> of knnJoin options and vectorColumn";

  private KnnJoinFunction() {}

  /** Builds the join's plan over resolved arguments; reads the dataset's manifest. */
  public static LogicalPlan build(scala.collection.immutable.Seq<Expression> arguments) {
    List<Expression> args = CollectionConverters.asJava(arguments);
    if (args.size() < 3 || args.size() > 4) {
      throw VecSqlFunctions.error(USAGE, "got " + args.size() + " arguments");
    }
    SparkSession session = SparkSession.active();
    Dataset<Row> queries = queries(session, args.get(0));
    String path = VecSqlFunctions.constantString(args.get(1), "path", USAGE);
    int k = VecSqlFunctions.constantInt(args.get(2), "k", USAGE);
    Map<String, String> options = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (args.size() == 4) {
      options.putAll(VecSqlFunctions.constantMap(args.get(3), USAGE));
    }
    String vectorColumn = options.remove(VECTOR_COLUMN);
    try {
      Dataset<Row> joined =
          KnnJoin.knnJoin(
              queries,
              vectorColumn != null ? vectorColumn : DEFAULT_VECTOR_COLUMN,
              path,
              k,
              options);
      return ((org.apache.spark.sql.classic.Dataset<Row>) joined).logicalPlan();
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw VecSqlFunctions.analysisError(e.getMessage(), e);
    }
  }

  private static Dataset<Row> queries(SparkSession session, Expression argument) {
    if (argument instanceof FunctionTableSubqueryArgumentExpression table) {
      // PARTITION BY / ORDER BY shape the input of Python UDTFs; the join would ignore them
      if (table.hasRepartitioning() || !table.orderByExpressions().isEmpty()) {
        throw VecSqlFunctions.error(
            USAGE, "TABLE(...) PARTITION BY and ORDER BY do not apply to the join");
      }
      if (!table.outerAttrs().isEmpty()) {
        throw VecSqlFunctions.error(USAGE, "the queries must not refer to an outer query");
      }
      return org.apache.spark.sql.classic.Dataset$.MODULE$.ofRows(session, table.plan());
    }
    return session.table(VecSqlFunctions.constantString(argument, "queries", USAGE));
  }
}
