package io.zerocopy.spark.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zerocopy.spark.SparkTestBase;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Spark SQL type a user may carry beside the vector round-trips through a write and a read:
 * schemas and rows are generated (NULLs in every column, nested types, edge values), written as a
 * vec dataset, read back and compared with the rows as Spark itself holds them.
 */
class CarriedTypesRoundTripTest extends SparkTestBase {

  @TempDir Path temp;

  /** The leaf types: decimals of many precisions and scales, time types, text, binary, numbers. */
  static final List<DataType> LEAVES =
      List.of(
          DataTypes.createDecimalType(3, 1),
          DataTypes.createDecimalType(1, 0),
          DataTypes.createDecimalType(9, 9),
          DataTypes.createDecimalType(18, 4),
          DataTypes.createDecimalType(19, 0),
          DataTypes.createDecimalType(38, 10),
          DataTypes.createDecimalType(38, 38),
          DataTypes.createDecimalType(38, 0),
          DataTypes.TimestampType,
          DataTypes.TimestampNTZType,
          DataTypes.DateType,
          DataTypes.BinaryType,
          DataTypes.StringType,
          DataTypes.BooleanType,
          DataTypes.ByteType,
          DataTypes.ShortType,
          DataTypes.IntegerType,
          DataTypes.LongType,
          DataTypes.FloatType,
          DataTypes.DoubleType);

  static final String[] TEXT = {
    "",
    "a",
    "ünïcödé",
    "中文字符",
    "emoji 🚀🧪",
    "right-to-left עברית",
    "tab\tnew\nline",
    "\u0000nul",
    "x".repeat(300)
  };

  /** A random type: a leaf, or (while depth allows) an array, map or struct of random types. */
  static DataType type(Random random, int depth) {
    int pick = random.nextInt(depth > 0 ? 10 : 7);
    if (pick < 7) {
      return LEAVES.get(random.nextInt(LEAVES.size()));
    }
    if (pick == 7) {
      return DataTypes.createArrayType(type(random, depth - 1), true);
    }
    if (pick == 8) {
      return DataTypes.createMapType(
          random.nextBoolean() ? DataTypes.StringType : DataTypes.IntegerType,
          type(random, depth - 1),
          true);
    }
    int fields = 1 + random.nextInt(3);
    List<StructField> list = new ArrayList<>();
    for (int i = 0; i < fields; i++) {
      list.add(DataTypes.createStructField("f" + i, type(random, depth - 1), true));
    }
    return DataTypes.createStructType(list);
  }

  /** A random value of {@code type}, NULL one time in six. */
  static Object value(Random random, DataType type) {
    if (random.nextInt(6) == 0) {
      return null;
    }
    return nonNull(random, type);
  }

  static Object nonNull(Random random, DataType type) {
    if (type instanceof DecimalType decimal) {
      BigInteger unscaled = new BigInteger(decimal.precision() * 4, random);
      BigInteger limit = BigInteger.TEN.pow(decimal.precision());
      unscaled = unscaled.mod(limit);
      if (random.nextInt(5) == 0) {
        unscaled = limit.subtract(BigInteger.ONE); // the largest value of the type
      }
      BigDecimal value = new BigDecimal(unscaled, decimal.scale());
      return random.nextBoolean() ? value.negate() : value;
    }
    if (type == DataTypes.TimestampType) {
      long seconds = random.nextLong() % 4_000_000_000L; // 1843..2096
      return Timestamp.from(Instant.ofEpochSecond(seconds, random.nextInt(1_000_000) * 1000L));
    }
    if (type == DataTypes.TimestampNTZType) {
      return LocalDateTime.of(1 + random.nextInt(9998), 1 + random.nextInt(12), 1, 0, 0)
          .plusSeconds(random.nextInt(86_400 * 28))
          .plusNanos(random.nextInt(1_000_000) * 1000L);
    }
    if (type == DataTypes.DateType) {
      return Date.valueOf(LocalDate.ofEpochDay(random.nextInt(200_000) - 100_000));
    }
    if (type == DataTypes.BinaryType) {
      byte[] bytes = new byte[random.nextInt(20)];
      random.nextBytes(bytes);
      return bytes;
    }
    if (type == DataTypes.StringType) {
      return TEXT[random.nextInt(TEXT.length)];
    }
    if (type == DataTypes.BooleanType) {
      return random.nextBoolean();
    }
    if (type == DataTypes.ByteType) {
      return (byte) random.nextInt();
    }
    if (type == DataTypes.ShortType) {
      return (short) random.nextInt();
    }
    if (type == DataTypes.IntegerType) {
      int[] edges = {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1};
      return random.nextInt(4) == 0 ? edges[random.nextInt(4)] : random.nextInt();
    }
    if (type == DataTypes.LongType) {
      long[] edges = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1};
      return random.nextInt(4) == 0 ? edges[random.nextInt(4)] : random.nextLong();
    }
    if (type == DataTypes.FloatType) {
      float[] edges = {Float.NaN, Float.POSITIVE_INFINITY, -0f, Float.MIN_VALUE, Float.MAX_VALUE};
      return random.nextInt(4) == 0 ? edges[random.nextInt(5)] : random.nextFloat();
    }
    if (type == DataTypes.DoubleType) {
      double[] edges = {Double.NaN, Double.NEGATIVE_INFINITY, -0d, Double.MIN_VALUE};
      return random.nextInt(4) == 0 ? edges[random.nextInt(4)] : random.nextGaussian();
    }
    if (type instanceof ArrayType array) {
      List<Object> list = new ArrayList<>();
      for (int i = random.nextInt(4); i > 0; i--) {
        list.add(value(random, array.elementType()));
      }
      return list;
    }
    if (type instanceof MapType map) {
      Map<Object, Object> result = new HashMap<>();
      for (int i = random.nextInt(4); i > 0; i--) {
        result.put(nonNull(random, map.keyType()), value(random, map.valueType()));
      }
      return result;
    }
    StructType struct = (StructType) type;
    Object[] fields = new Object[struct.fields().length];
    for (int i = 0; i < fields.length; i++) {
      fields[i] = value(random, struct.fields()[i].dataType());
    }
    return RowFactory.create(fields);
  }

  static List<String> sorted(Dataset<Row> frame) {
    List<String> rows = new ArrayList<>();
    for (Row row : frame.collectAsList()) {
      rows.add(render(row));
    }
    rows.sort(null);
    return rows;
  }

  /** A row as text that compares binaries by content and maps regardless of order. */
  static String render(Object value) {
    if (value instanceof byte[] bytes) {
      return java.util.HexFormat.of().formatHex(bytes);
    }
    if (value instanceof Row row) {
      List<String> parts = new ArrayList<>();
      for (int i = 0; i < row.length(); i++) {
        parts.add(render(row.get(i)));
      }
      return "(" + String.join(",", parts) + ")";
    }
    if (value instanceof scala.collection.Map<?, ?> map) {
      List<String> entries = new ArrayList<>();
      scala.jdk.javaapi.CollectionConverters.asJava(map)
          .forEach((k, v) -> entries.add(render(k) + "->" + render(v)));
      entries.sort(null);
      return "{" + String.join(",", entries) + "}";
    }
    if (value instanceof scala.collection.Seq<?> seq) {
      List<String> parts = new ArrayList<>();
      scala.jdk.javaapi.CollectionConverters.asJava(seq).forEach(v -> parts.add(render(v)));
      return "[" + String.join(",", parts) + "]";
    }
    return String.valueOf(value);
  }

  @Test
  void everyLeafTypeRoundTripsWithNulls() {
    List<StructField> fields = new ArrayList<>();
    for (int i = 0; i < LEAVES.size(); i++) {
      fields.add(DataTypes.createStructField("c" + i, LEAVES.get(i), true));
    }
    roundTrip(fields, 40, new Random(1), "leaves");
  }

  @Test
  void generatedSchemasRoundTrip() {
    long seed = Long.getLong("zcs.types.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int schema = 0; schema < 12; schema++) {
      List<StructField> fields = new ArrayList<>();
      for (int i = 1 + random.nextInt(5); i > 0; i--) {
        fields.add(DataTypes.createStructField("c" + fields.size(), type(random, 3), true));
      }
      roundTrip(fields, 25, random, "seed " + seed + ", schema " + schema);
    }
  }

  @Test
  void theDecimalRowOfSparksGoldenTablesRoundTrips() {
    // the one row of issue 24: Spark's golden NEAREST BY tables carry decimal(3,1)
    String path = temp.resolve("golden").toString();
    sql("SELECT 'A' AS id, CAST(11.0 AS DECIMAL(3,1)) AS pscore, array(1f, 0f) AS vector")
        .write()
        .format("vec")
        .option("vectorColumn", "vector")
        .option("idColumn", "id")
        .save(path);
    assertEquals(
        "[A,WrappedArray(1.0, 0.0),11.0]".replace("WrappedArray", "ArraySeq"),
        spark().read().format("vec").load(path).collectAsList().get(0).toString());
  }

  @Test
  void typesThatCannotBeCarriedFailAtAnalysisNamingTheColumnAndType() {
    String[][] cases = {
      {"INTERVAL '2-3' YEAR TO MONTH", "\"INTERVAL YEAR TO MONTH\""},
      {"INTERVAL '1 02:03:04.5' DAY TO SECOND", "\"INTERVAL DAY TO SECOND\""},
      {"make_interval(1, 2, 3, 4, 5, 6, 7.5)", "\"INTERVAL\""},
      {"parse_json('{\"a\": [1, 2]}')", "\"VARIANT\""},
    };
    for (String[] c : cases) {
      String path = temp.resolve("bad" + System.nanoTime()).toString();
      Exception e =
          org.junit.jupiter.api.Assertions.assertThrows(
              Exception.class,
              () ->
                  sql("SELECT 1L AS id, array(1f, 2f) AS vector, " + c[0] + " AS carried_col")
                      .write()
                      .format("vec")
                      .option("vectorColumn", "vector")
                      .option("idColumn", "id")
                      .save(path));
      assertEquals(
          "[UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE] The vec datasource doesn't support the column"
              + " `carried_col` of the type "
              + c[1]
              + ". SQLSTATE: 0A000",
          e.getMessage(),
          c[0]);
      assertEquals(false, java.nio.file.Files.exists(Path.of(path)), "nothing written");
    }
  }

  @Test
  void nullCharAndVarcharColumnsRoundTrip() {
    String path = temp.resolve("other").toString();
    sql("SELECT 1L AS id, array(1f, 2f) AS vector, NULL AS n, CAST('ab' AS CHAR(3)) AS c,"
            + " CAST('ab' AS VARCHAR(5)) AS v")
        .write()
        .format("vec")
        .option("vectorColumn", "vector")
        .option("idColumn", "id")
        .save(path);
    Dataset<Row> back = spark().read().format("vec").load(path);
    assertEquals("[[1,ArraySeq(1.0, 2.0),null,ab,ab]]", back.collectAsList().toString());
    assertEquals(
        "struct<id:bigint,vector:array<float>,n:void,c:string,v:string>",
        back.schema().simpleString());
  }

  private void roundTrip(List<StructField> carried, int rows, Random random, String what) {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField("id", DataTypes.LongType, false));
    fields.add(
        DataTypes.createStructField(
            "embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false));
    fields.addAll(carried);
    StructType schema = DataTypes.createStructType(fields);
    List<Row> list = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      Object[] values = new Object[fields.size()];
      values[0] = (long) r;
      values[1] = List.of(random.nextFloat(), random.nextFloat());
      for (int c = 2; c < values.length; c++) {
        values[c] = value(random, fields.get(c).dataType());
      }
      list.add(RowFactory.create(values));
    }
    Dataset<Row> frame = spark().createDataFrame(list, schema).repartition(2);
    String path = temp.resolve("t" + System.nanoTime()).toString();
    try {
      frame
          .write()
          .format("vec")
          .option("vectorColumn", "embedding")
          .option("idColumn", "id")
          .option("batchRows", "7")
          .save(path);
    } catch (Exception e) { // SparkException too, checked in Java's eyes
      throw new AssertionError(what + ": " + schema.simpleString() + ": " + e.getMessage(), e);
    }
    Dataset<Row> back = spark().read().format("vec").load(path);
    List<String> read;
    try {
      read = sorted(back);
    } catch (Exception e) { // SparkException too, checked in Java's eyes
      throw new AssertionError(what + ": " + schema.simpleString() + ": " + e.getMessage(), e);
    }
    assertEquals(
        sorted(frame.withColumnRenamed("embedding", "vector")),
        read,
        what + ": " + schema.simpleString());
  }
}
