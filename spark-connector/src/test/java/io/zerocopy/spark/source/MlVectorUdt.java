package io.zerocopy.spark.source;

import io.zerocopy.spark.source.write.VectorColumn;
import java.io.Serializable;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * A stand-in for spark-mllib's {@code VectorUDT} (not served for Spark 4.2.0): a user-defined type
 * stored as the same struct, so tests see a column typed as a UDT exactly as ML pipelines give it.
 */
public final class MlVectorUdt extends UserDefinedType<MlVectorUdt.DenseVector> {

  private static final long serialVersionUID = 1L;

  /** The user-side value: dense doubles. */
  public record DenseVector(double[] values) implements Serializable {}

  public MlVectorUdt() {}

  @Override
  public DataType sqlType() {
    return VectorColumn.ML_VECTOR_STRUCT;
  }

  @Override
  public Object serialize(DenseVector vector) {
    return new GenericInternalRow(
        new Object[] {(byte) 1, null, null, new GenericArrayData(vector.values())});
  }

  @Override
  public DenseVector deserialize(Object datum) {
    ArrayData values = ((InternalRow) datum).getArray(3);
    return new DenseVector(values.toDoubleArray());
  }

  @Override
  public Class<DenseVector> userClass() {
    return DenseVector.class;
  }
}
