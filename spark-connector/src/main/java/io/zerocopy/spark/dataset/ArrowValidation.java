package io.zerocopy.spark.dataset;

import java.math.BigDecimal;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.validate.ValidateVectorBufferVisitor;
import org.apache.arrow.vector.validate.ValidateVectorDataVisitor;
import org.apache.arrow.vector.validate.ValidateVectorTypeVisitor;

/**
 * Arrow's full validation of a loaded vector ({@code ValueVectorUtility.validateFull}: types,
 * buffers, data) with two bugs of Arrow Java 19 worked around, both of which reject vectors that
 * Spark writes correctly:
 *
 * <ul>
 *   <li>its type check visits a {@code MapVector} as a list and expects {@code ArrowType.List}, so
 *       every map column fails ("Incorrect arrow type … Map(false)"): here a map must have the map
 *       type and one non-null struct child of key and value, which is then checked as any struct;
 *   <li>its data check of decimals requires {@code precision < declared precision}, so a {@code
 *       decimal(3,1)} holding 11.0 fails: here a decimal must have the declared scale and at most
 *       the declared precision.
 * </ul>
 */
final class ArrowValidation {

  private ArrowValidation() {}

  /** Throws if {@code vector} (and every child) is not a valid Arrow vector of its type. */
  static void validateFull(FieldVector vector) {
    vector.accept(new TypeCheck(), null);
    vector.accept(new ValidateVectorBufferVisitor(), null);
    vector.accept(new DataCheck(), null);
  }

  private static final class TypeCheck extends ValidateVectorTypeVisitor {
    @Override
    public Void visit(ListVector vector, Void value) {
      if (!(vector instanceof MapVector map)) {
        return super.visit(vector, value);
      }
      if (!(map.getField().getType() instanceof ArrowType.Map)) {
        throw new IllegalArgumentException(
            "map vector " + map.getName() + " has Arrow type " + map.getField().getType());
      }
      if (map.getField().getChildren().size() != 1
          || map.getDataVector().getField().isNullable()
          || map.getDataVector().getField().getChildren().size() != 2
          || map.getDataVector().getField().getChildren().get(0).isNullable()) {
        throw new IllegalArgumentException(
            "map vector "
                + map.getName()
                + " must have one non-null struct child of a non-null key and a value, has "
                + map.getField().getChildren());
      }
      map.getDataVector().accept(this, null);
      return null;
    }
  }

  private static final class DataCheck extends ValidateVectorDataVisitor {
    @Override
    public Void visit(BaseFixedWidthVector vector, Void value) {
      int precision;
      int scale;
      if (vector instanceof DecimalVector decimal) {
        precision = decimal.getPrecision();
        scale = decimal.getScale();
      } else if (vector instanceof Decimal256Vector decimal) {
        precision = decimal.getPrecision();
        scale = decimal.getScale();
      } else {
        return super.visit(vector, value);
      }
      for (int i = 0; i < vector.getValueCount(); i++) {
        if (vector.isNull(i)) {
          continue;
        }
        BigDecimal decimal = (BigDecimal) vector.getObject(i);
        if (decimal.scale() != scale || decimal.precision() > precision) {
          throw new IllegalArgumentException(
              "decimal vector "
                  + vector.getName()
                  + " at position "
                  + i
                  + ": "
                  + decimal
                  + " does not fit decimal("
                  + precision
                  + ","
                  + scale
                  + ")");
        }
      }
      return null;
    }
  }
}
