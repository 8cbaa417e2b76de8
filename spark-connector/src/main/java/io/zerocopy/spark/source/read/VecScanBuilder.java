package io.zerocopy.spark.source.read;

import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.VecManifest;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Builds the scan of a dataset, keeping only the columns the query needs. */
public final class VecScanBuilder implements ScanBuilder, SupportsPushDownRequiredColumns {

  private final DatasetDirectory directory;
  private final VecManifest manifest;
  private final VecReadOptions options;
  private StructType schema;

  public VecScanBuilder(DatasetDirectory directory, VecManifest manifest, VecReadOptions options) {
    this.directory = directory;
    this.manifest = manifest;
    this.options = options;
    this.schema = manifest.readSchema();
  }

  @Override
  public void pruneColumns(StructType required) {
    List<StructField> kept = new ArrayList<>();
    for (StructField field : manifest.readSchema().fields()) {
      for (String name : required.fieldNames()) {
        if (name.equalsIgnoreCase(field.name())) {
          kept.add(field);
          break;
        }
      }
    }
    schema = DataTypes.createStructType(kept);
  }

  @Override
  public Scan build() {
    return new VecScan(directory, manifest, options, schema);
  }
}
