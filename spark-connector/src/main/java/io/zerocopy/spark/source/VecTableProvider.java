package io.zerocopy.spark.source;

import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.source.read.VecReadOptions;
import io.zerocopy.spark.source.write.ClusteredWrite;
import io.zerocopy.spark.source.write.VecWriteOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.catalyst.util.CaseInsensitiveMap;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.BaseRelation;
import org.apache.spark.sql.sources.CreatableRelationProvider;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.sources.RelationProvider;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The {@code vec} data source: a directory of {@code .vec} shards, Arrow id files and a manifest.
 *
 * <p>Reads go through DataSource V2 ({@link VecTable}), and so do writes, in the end. Spark 4.2
 * offers a path-based V2 source only append and overwrite, so every {@code save()} enters through
 * the V1 {@link CreatableRelationProvider}, which applies the save mode and starts the V2 write.
 * SQL resolves through V1 ({@link RelationProvider}) and scans through the V2 reader: {@code CREATE
 * TEMPORARY VIEW v USING vec OPTIONS (path '/path')}. (Spark 4.2 runs {@code SELECT * FROM
 * vec.`/path`} only for file formats built on its {@code FileFormat}, which this source is not.)
 */
public final class VecTableProvider
    implements TableProvider, DataSourceRegister, CreatableRelationProvider, RelationProvider {

  public static final String SHORT_NAME = "vec";

  @Override
  public String shortName() {
    return SHORT_NAME;
  }

  /** What Spark's errors call the source ("The vec datasource doesn't support …"). */
  @Override
  public String toString() {
    return SHORT_NAME;
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    VecReadOptions read = VecReadOptions.from(options); // reads only: writes bring their schema
    return DatasetDirectory.of(read.path()).requireManifest().readSchema();
  }

  @Override
  public boolean supportsExternalMetadata() {
    return true; // writes pass the DataFrame's schema; a new path has no manifest to infer from
  }

  @Override
  public Table getTable(
      StructType schema, Transform[] partitioning, Map<String, String> properties) {
    if (partitioning != null && partitioning.length > 0) {
      throw new IllegalArgumentException("vec datasets are not partitioned: remove partitionBy()");
    }
    return new VecTable(schema, properties);
  }

  /**
   * Every {@code save()}: applies the save mode, then runs the DataSource V2 write (marked with
   * {@link VecWriteOptions#V2_WRITE} so that its table declares BATCH_WRITE) as an append, an
   * append that must find no dataset at commit, or an overwrite.
   */
  @Override
  public BaseRelation createRelation(
      SQLContext sqlContext,
      SaveMode mode,
      scala.collection.immutable.Map<String, String> parameters,
      Dataset<Row> data) {
    Map<String, String> options =
        new HashMap<>(
            CollectionConverters.asJava(
                parameters instanceof CaseInsensitiveMap<String> original
                    ? original.originalMap()
                    : parameters));
    // fail fast on bad options
    VecWriteOptions parsed = VecWriteOptions.from(new CaseInsensitiveStringMap(options));
    DatasetDirectory directory = DatasetDirectory.of(options.remove(VecWriteOptions.PATH));
    Optional<VecManifest> current = directory.readManifest();
    boolean exists = current.isPresent();
    SaveMode v2Mode = SaveMode.Append;
    switch (mode) {
      case ErrorIfExists:
        if (exists) {
          throw new IllegalArgumentException(
              "a vec dataset already exists at "
                  + directory
                  + " (save mode errorifexists): use mode(\"overwrite\") to replace it or"
                  + " mode(\"append\") to add to it");
        }
        options.put(VecWriteOptions.CREATE_NEW, "true");
        break;
      case Ignore:
        if (exists) {
          return new VecRelation(sqlContext, directory.toString());
        }
        options.put(VecWriteOptions.CREATE_NEW, "true");
        break;
      case Overwrite:
        v2Mode = SaveMode.Overwrite;
        break;
      default:
        break;
    }
    options.put(VecWriteOptions.V2_WRITE, "true");
    Dataset<Row> rows =
        ClusteredWrite.prepare(
            data,
            parsed,
            directory,
            v2Mode == SaveMode.Append ? current : Optional.empty(),
            options);
    rows.write().format(SHORT_NAME).mode(v2Mode).options(options).save(directory.toString());
    return new VecRelation(sqlContext, directory.toString());
  }

  /**
   * The dataset path behind a table or relation of this source, if it is one: the hook the join
   * rule of {@code io.zerocopy.spark.ZeroCopyExtensions} uses to recognise a vec dataset in a plan
   * ({@link VecTable} for DataFrame reads, {@link VecRelation} for SQL {@code USING vec}).
   */
  public static java.util.Optional<String> datasetPath(Object tableOrRelation) {
    if (tableOrRelation instanceof VecTable table) {
      return java.util.Optional.ofNullable(table.properties().get(VecReadOptions.PATH));
    }
    if (tableOrRelation instanceof VecRelation relation) {
      return java.util.Optional.of(relation.path());
    }
    return java.util.Optional.empty();
  }

  /** SQL: {@code CREATE TEMPORARY VIEW v USING vec OPTIONS (path '/path/to/dataset')}. */
  @Override
  public BaseRelation createRelation(
      SQLContext sqlContext, scala.collection.immutable.Map<String, String> parameters) {
    Map<String, String> options = CollectionConverters.asJava(parameters);
    VecReadOptions.from(new CaseInsensitiveStringMap(options));
    DatasetDirectory directory = DatasetDirectory.of(options.get(VecReadOptions.PATH));
    directory.requireManifest();
    return new VecRelation(sqlContext, directory.toString());
  }
}
