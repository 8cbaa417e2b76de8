package io.zerocopy.spark.source.write;

import java.io.Serializable;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * How a task reads one vector out of a row: {@code array<float>}, {@code array<double>} or a Spark
 * ML {@code Vector}, which reaches us as its storage struct {@code
 * struct<type:tinyint,size:int,indices:array<int>,values:array<double>>} (type 0 sparse, 1 dense);
 * sparse vectors are densified. No dependency on spark-mllib.
 */
public record VectorColumn(String name, int ordinal, Kind kind, boolean elementsNullable)
    implements Serializable {

  /** The vector encodings we accept. */
  public enum Kind {
    FLOAT_ARRAY,
    DOUBLE_ARRAY,
    ML_VECTOR
  }

  /** The storage struct of {@code org.apache.spark.ml.linalg.VectorUDT}. */
  public static final StructType ML_VECTOR_STRUCT =
      DataTypes.createStructType(
          new StructField[] {
            DataTypes.createStructField("type", DataTypes.ByteType, false),
            DataTypes.createStructField("size", DataTypes.IntegerType, true),
            DataTypes.createStructField(
                "indices", DataTypes.createArrayType(DataTypes.IntegerType, false), true),
            DataTypes.createStructField(
                "values", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
          });

  private static final String EXPECTED =
      "array<float>, array<double> or a Spark ML Vector"
          + " (struct<type:tinyint,size:int,indices:array<int>,values:array<double>>)";

  /** Checks the column's type on the driver; the error names the column and the allowed types. */
  public static VectorColumn of(StructType schema, String column) {
    int ordinal = ordinal(schema, column, "vector column", "option 'vectorColumn'");
    DataType type = schema.fields()[ordinal].dataType();
    String name = schema.fields()[ordinal].name();
    if (type instanceof UserDefinedType<?> udt) {
      type = udt.sqlType();
    }
    if (type instanceof ArrayType array) {
      if (array.elementType().sameType(DataTypes.FloatType)) {
        return new VectorColumn(name, ordinal, Kind.FLOAT_ARRAY, array.containsNull());
      }
      if (array.elementType().sameType(DataTypes.DoubleType)) {
        return new VectorColumn(name, ordinal, Kind.DOUBLE_ARRAY, array.containsNull());
      }
    }
    if (type instanceof StructType struct && isMlVector(struct)) {
      return new VectorColumn(name, ordinal, Kind.ML_VECTOR, true);
    }
    throw new IllegalArgumentException(
        "vector column '"
            + name
            + "' has type "
            + schema.fields()[ordinal].dataType().simpleString()
            + ": expected "
            + EXPECTED);
  }

  private static boolean isMlVector(StructType struct) {
    StructField[] fields = struct.fields();
    StructField[] expected = ML_VECTOR_STRUCT.fields();
    if (fields.length != expected.length) {
      return false;
    }
    for (int i = 0; i < fields.length; i++) {
      if (!fields[i].name().equals(expected[i].name())
          || !fields[i].dataType().sameType(expected[i].dataType())) {
        return false;
      }
    }
    return true;
  }

  /** Index of a column by exact name, else by case-insensitive name, else an error naming it. */
  public static int ordinal(StructType schema, String column, String role, String option) {
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      if (fields[i].name().equals(column)) {
        return i;
      }
    }
    int found = -1;
    for (int i = 0; i < fields.length; i++) {
      if (fields[i].name().equalsIgnoreCase(column)) {
        if (found >= 0) {
          throw new IllegalArgumentException(
              role + " '" + column + "' is ambiguous: several columns match it ignoring case");
        }
        found = i;
      }
    }
    if (found < 0) {
      throw new IllegalArgumentException(
          role
              + " '"
              + column
              + "' ("
              + option
              + ") does not exist: the columns are "
              + String.join(", ", schema.fieldNames()));
    }
    return found;
  }

  /** Reads the vector of {@code row}; {@code id} only names the row in errors. */
  public float[] read(InternalRow row, Object id) {
    if (row.isNullAt(ordinal)) {
      throw new IllegalArgumentException(
          "vector column '" + name + "' is null for the row with id " + id);
    }
    return switch (kind) {
      case FLOAT_ARRAY -> fromFloats(row.getArray(ordinal), id);
      case DOUBLE_ARRAY -> fromDoubles(row.getArray(ordinal), id);
      case ML_VECTOR -> fromMlVector(row.getStruct(ordinal, 4), id);
    };
  }

  private float[] fromFloats(ArrayData array, Object id) {
    checkNoNullElements(array, id);
    return array.toFloatArray();
  }

  private float[] fromDoubles(ArrayData array, Object id) {
    checkNoNullElements(array, id);
    int n = array.numElements();
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) array.getDouble(i);
    }
    return out;
  }

  private float[] fromMlVector(InternalRow vector, Object id) {
    byte type = vector.getByte(0);
    if (type == 1) {
      if (vector.isNullAt(3)) {
        throw invalid(id, "a dense ML Vector without values");
      }
      return fromDoubles(vector.getArray(3), id);
    }
    if (type != 0) {
      throw invalid(id, "an ML Vector of unknown type " + type + " (expected 0 sparse, 1 dense)");
    }
    if (vector.isNullAt(1) || vector.isNullAt(2) || vector.isNullAt(3)) {
      throw invalid(id, "a sparse ML Vector without size, indices or values");
    }
    int size = vector.getInt(1);
    ArrayData indices = vector.getArray(2);
    ArrayData values = vector.getArray(3);
    if (size < 0 || indices.numElements() != values.numElements()) {
      throw invalid(
          id,
          "a sparse ML Vector of size "
              + size
              + " with "
              + indices.numElements()
              + " indices and "
              + values.numElements()
              + " values");
    }
    float[] dense = new float[size];
    for (int i = 0; i < indices.numElements(); i++) {
      int index = indices.getInt(i);
      if (index < 0 || index >= size) {
        throw invalid(id, "a sparse ML Vector of size " + size + " with index " + index);
      }
      dense[index] = (float) values.getDouble(i);
    }
    return dense;
  }

  private void checkNoNullElements(ArrayData array, Object id) {
    if (!elementsNullable) {
      return;
    }
    for (int i = 0; i < array.numElements(); i++) {
      if (array.isNullAt(i)) {
        throw invalid(id, "a null element at index " + i);
      }
    }
  }

  private IllegalArgumentException invalid(Object id, String what) {
    return new IllegalArgumentException(
        "vector column '" + name + "' has " + what + " in the row with id " + id);
  }
}
