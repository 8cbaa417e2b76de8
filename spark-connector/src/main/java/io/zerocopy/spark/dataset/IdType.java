package io.zerocopy.spark.dataset;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** The Spark types an id column may have, and their names in the manifest. */
public enum IdType {
  LONG("long", DataTypes.LongType),
  INT("int", DataTypes.IntegerType),
  STRING("string", DataTypes.StringType);

  private final String id;
  private final DataType sparkType;

  IdType(String id, DataType sparkType) {
    this.id = id;
    this.sparkType = sparkType;
  }

  /** The name stored in {@code _manifest.json}. */
  public String id() {
    return id;
  }

  public DataType sparkType() {
    return sparkType;
  }

  /** The id type for a Spark column type, or an error naming the column and the allowed types. */
  public static IdType of(String column, DataType type) {
    for (IdType candidate : values()) {
      if (candidate.sparkType.sameType(type)) {
        return candidate;
      }
    }
    throw new IllegalArgumentException(
        "id column '"
            + column
            + "' has type "
            + type.simpleString()
            + ": expected one of "
            + allowed());
  }

  /** Parses a manifest name ("long", "int", "string"). */
  public static IdType parse(String name) {
    for (IdType candidate : values()) {
      if (candidate.id.equals(name == null ? null : name.toLowerCase(Locale.ROOT))) {
        return candidate;
      }
    }
    throw new IllegalArgumentException(
        "unknown id type '" + name + "': expected one of " + allowed());
  }

  private static String allowed() {
    return Arrays.stream(values()).map(IdType::id).collect(Collectors.joining(", "));
  }
}
