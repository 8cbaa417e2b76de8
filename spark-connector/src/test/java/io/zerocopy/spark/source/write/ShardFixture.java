package io.zerocopy.spark.source.write;

import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.IdType;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/** Writes a shard with the task writer, for tests of other packages; no Spark needed. */
public final class ShardFixture {

  private ShardFixture() {}

  /** The carried schema of {@link #write}: one string column "label". */
  public static final StructType CARRIED =
      DataTypes.createStructType(
          new StructField[] {DataTypes.createStructField("label", DataTypes.StringType, true)});

  /**
   * A shard of {@code count} rows: id {@code 1000 + i}, vector {@code (i, 2i, …)} of {@code
   * dimension} floats, label "row i".
   */
  public static ShardEntry write(Path dir, int count, int dimension, int batchRows)
      throws IOException {
    StructType input =
        DataTypes.createStructType(
            new StructField[] {
              DataTypes.createStructField("id", DataTypes.LongType, false),
              DataTypes.createStructField(
                  "v", DataTypes.createArrayType(DataTypes.FloatType, false), false),
              CARRIED.fields()[0]
            });
    WritePlan plan =
        new WritePlan(
            DatasetDirectory.of(dir.toString()),
            "fixture",
            VectorColumn.of(input, "v"),
            "id",
            0,
            IdType.LONG,
            new int[] {2},
            CARRIED,
            VecManifest.idsSchema(IdType.LONG, CARRIED),
            batchRows,
            0);
    VecDataWriter writer = new VecDataWriter(plan, 0, 0);
    for (int i = 0; i < count; i++) {
      float[] vector = new float[dimension];
      for (int j = 0; j < dimension; j++) {
        vector[j] = i * (j + 1);
      }
      writer.write(
          new GenericInternalRow(
              new Object[] {
                1000L + i, new GenericArrayData(vector), UTF8String.fromString("row " + i)
              }));
    }
    ShardEntry shard = writer.commit().shard();
    writer.close();
    return shard;
  }
}
