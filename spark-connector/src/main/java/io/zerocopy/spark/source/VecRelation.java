package io.zerocopy.spark.source;

import io.zerocopy.spark.dataset.DatasetDirectory;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.sources.BaseRelation;
import org.apache.spark.sql.sources.TableScan;
import org.apache.spark.sql.types.StructType;

/**
 * The V1 face of a dataset, for the paths Spark only resolves through V1 (SQL on a path, save modes
 * errorifexists and ignore): it scans through the V2 reader.
 */
final class VecRelation extends BaseRelation implements TableScan {

  private final SQLContext sqlContext;
  private final String path;

  VecRelation(SQLContext sqlContext, String path) {
    this.sqlContext = sqlContext;
    this.path = path;
  }

  String path() {
    return path;
  }

  @Override
  public SQLContext sqlContext() {
    return sqlContext;
  }

  @Override
  public StructType schema() {
    return DatasetDirectory.of(path).requireManifest().readSchema();
  }

  @Override
  public RDD<Row> buildScan() {
    return sqlContext.sparkSession().read().format(VecTableProvider.SHORT_NAME).load(path).rdd();
  }
}
