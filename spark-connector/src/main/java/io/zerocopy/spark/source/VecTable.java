package io.zerocopy.spark.source;

import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.source.read.VecReadOptions;
import io.zerocopy.spark.source.read.VecScanBuilder;
import io.zerocopy.spark.source.write.VecWriteBuilder;
import io.zerocopy.spark.source.write.VecWriteOptions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.SupportsWrite;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * A vec dataset at a path. For writes its schema is the incoming DataFrame's; for reads it is the
 * manifest's ({@code id}, {@code vector}, carried columns).
 */
final class VecTable implements SupportsRead, SupportsWrite {

  private final StructType schema;
  private final Map<String, String> properties;

  VecTable(StructType schema, Map<String, String> properties) {
    this.schema = schema;
    this.properties = properties;
  }

  @Override
  public String name() {
    return "vec." + properties.getOrDefault("path", "?");
  }

  @Override
  @SuppressWarnings("deprecation")
  public StructType schema() {
    return schema;
  }

  @Override
  public Map<String, String> properties() {
    return properties;
  }

  /**
   * Writes are declared only to the V2 write that {@link VecTableProvider} starts itself: without
   * BATCH_WRITE, Spark 4.2 routes every {@code save()} to the provider's V1 entry point, which
   * alone sees the save mode (errorifexists and ignore cannot be expressed in V2 for a path).
   */
  @Override
  public Set<TableCapability> capabilities() {
    if (Boolean.parseBoolean(properties.get(VecWriteOptions.V2_WRITE))) {
      return EnumSet.of(
          TableCapability.BATCH_READ, TableCapability.BATCH_WRITE, TableCapability.TRUNCATE);
    }
    return EnumSet.of(TableCapability.BATCH_READ);
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
    VecReadOptions read = VecReadOptions.from(options);
    DatasetDirectory directory = DatasetDirectory.of(read.path());
    VecManifest manifest = directory.requireManifest();
    if (!manifest.readSchema().asNullable().sameType(schema.asNullable())) {
      throw new IllegalArgumentException(
          "vec dataset "
              + directory
              + " has schema "
              + manifest.readSchema().simpleString()
              + ", not the user-specified "
              + schema.simpleString()
              + ": read it without .schema(...)");
    }
    return new VecScanBuilder(directory, manifest, read);
  }

  @Override
  public WriteBuilder newWriteBuilder(LogicalWriteInfo info) {
    return new VecWriteBuilder(info);
  }
}
