package io.zerocopy.spark.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Untrusted bytes as a shard's {@code .ids.arrow} file, read the way the connector reads it ({@link
 * IdsFile}, then every value through Spark's {@link ArrowColumnVector}): the shard of the seeds has
 * 10 rows in batches of 4, a long id and a string label. The outcome is the rows, or a {@link
 * ShardMismatchException} naming the file.
 */
class IdsFileFuzzTest {

  static final StructType SCHEMA =
      DataTypes.createStructType(
          new StructField[] {
            DataTypes.createStructField(VecManifest.ID, DataTypes.LongType, false),
            DataTypes.createStructField("label", DataTypes.StringType, true)
          });

  private static Path dir;

  @BeforeAll
  static void createDirectory() throws IOException {
    dir = Files.createTempDirectory("ids-fuzz");
  }

  @AfterAll
  static void deleteDirectory() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  @FuzzTest(maxDuration = "10m")
  void read(byte[] bytes) throws IOException {
    Path file = Files.write(dir.resolve("part-00000-fuzz.ids.arrow"), bytes);
    FileEntry entry = new FileEntry(file.getFileName().toString(), bytes.length, 0);
    FileEntry vec = new FileEntry("part-00000-fuzz.vec", 32, 0);
    ShardEntry shard = new ShardEntry("part-00000-fuzz", 10, 4, vec, entry, null);
    long rows = 0;
    try (IdsFile ids = IdsFile.open(file, shard, SCHEMA)) {
      for (int batch = 0; batch < ids.batches(); batch++) {
        VectorSchemaRoot root = ids.load(batch);
        ArrowColumnVector id = new ArrowColumnVector(root.getVector(VecManifest.ID));
        ArrowColumnVector label = new ArrowColumnVector(root.getVector("label"));
        for (int row = 0; row < root.getRowCount(); row++) {
          if (!id.isNullAt(row)) {
            id.getLong(row);
          }
          if (!label.isNullAt(row)) {
            label.getUTF8String(row).toString();
          }
        }
        rows += root.getRowCount();
      }
    } catch (ShardMismatchException e) {
      assertTrue(e.getMessage().startsWith(file.toString()), e.toString());
      return;
    }
    assertEquals(shard.count(), rows);
  }
}
