package io.zerocopy.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.index.VecIndexTest;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vec_build_index}: the index build as SQL, for SQL and Spark Connect clients. */
class IndexBuildCommandTest extends SparkTestBase {

  @TempDir Path temp;

  @Test
  void buildsWhenExecutedNotWhenAnalyzedAndReturnsARowPerShard() throws Exception {
    float[][] vectors = VecIndexTest.vectors(300, 8);
    String path = temp.resolve("plain").toString();
    VecIndexTest.frame(vectors, 2)
        .write()
        .format("vec")
        .option("vectorColumn", "embedding")
        .option("idColumn", "id")
        .save(path);
    DatasetDirectory directory = DatasetDirectory.of(path);
    long before = directory.requireVersion().version();

    Dataset<Row> build = sql("SELECT * FROM vec_build_index('" + path + "', map('m', '8'))");
    build.explain();
    assertEquals(
        "struct<shard:string,file:string,bytes:bigint,seconds:double,threads:int,executor:string>",
        build.schema().simpleString());
    assertEquals(before, directory.requireVersion().version(), "analysis built nothing");
    for (ShardEntry shard : directory.requireManifest().shards()) {
      assertNull(shard.index());
    }

    List<Row> rows = build.collectAsList();
    assertEquals(2, rows.size());
    List<ShardEntry> shards = directory.requireManifest().shards();
    for (ShardEntry shard : shards) {
      assertNotNull(shard.index(), shard.name());
      assertTrue(
          rows.stream().anyMatch(r -> r.getString(1).equals(shard.index().file())),
          shard.index().file());
    }
    assertEquals(before + 1, directory.requireVersion().version());
    assertTrue(VecIndexTest.recall(path, vectors) >= 0.9);
  }

  @Test
  void badArgumentsFailAtAnalysisAndAMissingDatasetAtExecution() {
    AnalysisException unknown =
        assertThrows(
            AnalysisException.class,
            () -> sql("SELECT * FROM vec_build_index('/nowhere', map('colour', 'red'))"));
    assertTrue(
        unknown.getMessage().contains("unknown vec_build_index option colour: allowed options are"),
        unknown.getMessage());
    assertThrows(AnalysisException.class, () -> sql("SELECT * FROM vec_build_index(1)"));
    Exception missing =
        assertThrows(
            Exception.class,
            () ->
                sql("SELECT * FROM vec_build_index('" + temp.resolve("nowhere") + "')").collect());
    assertTrue(messages(missing).contains("no vec dataset at"), messages(missing));
  }
}
