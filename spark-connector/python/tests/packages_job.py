"""A spark-submit job that gets the connector only through
`--packages io.zerocopy:zero-copy-search-spark_2.13:<version>` and
`spark.sql.extensions=io.zerocopy.spark.ZeroCopyExtensions` (no pip package, no --jars): writes a
vec dataset with HNSW indexes, then searches it with vec_knn and a NEAREST BY join. Run by
scripts/test.sh against the local Maven repository, offline. Argument: the dataset path."""

import sys

from pyspark.sql import SparkSession


def main(path):
    spark = SparkSession.builder.appName("zero-copy-search --packages check").getOrCreate()
    items = spark.range(500).selectExpr(
        "id", "array(CAST(id AS FLOAT), CAST(id % 7 AS FLOAT)) AS embedding"
    )
    (
        items.write.format("vec")
        .option("vectorColumn", "embedding")
        .option("idColumn", "id")
        .option("index", "hnsw")
        .mode("overwrite")
        .save(path)
    )
    nearest = spark.sql(f"SELECT vec_knn('{path}', array(42f, 0f), 3) AS n").first().n
    if nearest[0].id != 42:
        sys.exit(f"vec_knn: nearest to row 42 is {nearest[0]}")
    spark.read.format("vec").load(path).createOrReplaceTempView("items")
    spark.createDataFrame([(1, [100.0, 2.0])], "qid int, qv array<float>").createOrReplaceTempView("q")
    joined = spark.sql(
        "SELECT q.qid, d.id FROM q JOIN items d"
        " APPROX NEAREST 1 BY DISTANCE vector_l2_distance(q.qv, d.vector)"
    )
    plan = joined._jdf.queryExecution().optimizedPlan().toString()
    rows = joined.collect()
    if "ZeroCopyNearestJoin" not in plan or [r.id for r in rows] != [100]:
        sys.exit(f"NEAREST BY: {rows}, plan {plan}")
    print(f"--packages: wrote 500 vectors with HNSW, vec_knn and NEAREST BY found rows 42 and 100")
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1])
