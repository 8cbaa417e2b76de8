package io.zerocopy.spark.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.spark.SparkTestBase;
import io.zerocopy.spark.VecDatasets;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardCache;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.TestRemoteFileSystem;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.join.KnnJoin;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dataset on a Hadoop file system that is not {@code file:} ({@link TestRemoteFileSystem}): tasks
 * stage and upload their files, readers and index builds map copies from the shard cache.
 */
class RemoteDatasetTest extends SparkTestBase {

  @TempDir Path temp;

  @Test
  void writesReadsIndexesAndSearchesThroughTheShardCache() throws Exception {
    float[][] vectors = VecIndexTest.vectors(400, 16);
    Path local = temp.resolve("remote-ds");
    String uri = TestRemoteFileSystem.uri(local);
    VecIndexTest.vec(VecIndexTest.frame(vectors, 2))
        .option("index", "hnsw")
        .option("m", "8")
        .save(uri);
    DatasetDirectory directory = DatasetDirectory.of(uri);
    VecManifest manifest = directory.requireManifest();
    assertEquals(2, manifest.shards().size());
    manifest.shards().forEach(shard -> assertNotNull(shard.index()));
    assertEquals(VecIndexTest.listed(manifest), VecIndexTest.files(local.toString()));

    List<Row> rows = spark().read().format("vec").load(uri).orderBy("id").collectAsList();
    assertEquals(400, rows.size());
    assertEquals(1000L, rows.get(0).getLong(0));
    assertEquals(vectors[0][3], rows.get(0).<Float>getList(1).get(3));

    ShardCache cache = ShardCache.get();
    long before = cache.fetches();
    assertTrue(VecIndexTest.recall(uri, vectors) >= 0.95);
    long after = cache.fetches();
    ShardEntry shard = manifest.shards().get(0);
    try (HnswIndex index = ShardIndexes.open(directory, shard, manifest.dimension())) {
      assertEquals(shard.count(), index.size());
    }
    assertEquals(after, cache.fetches(), "a cached shard is not copied again");
    assertTrue(after - before <= 6, "at most .vec, .ids.arrow and .hnsw per shard");

    VecManifest rebuilt = VecDatasets.buildIndex(spark(), uri, Map.of("m", "10")).manifest();
    assertEquals(VecIndexTest.listed(rebuilt), VecIndexTest.files(local.toString()));
    assertTrue(VecIndexTest.recall(uri, vectors) >= 0.95);
  }

  @Test
  void joinsSearchARemoteDatasetThroughTheShardCache() throws Exception {
    float[][] vectors = VecIndexTest.vectors(300, 8);
    Path local = temp.resolve("remote-join");
    String uri = TestRemoteFileSystem.uri(local);
    VecIndexTest.vec(VecIndexTest.frame(vectors, 2)).option("index", "hnsw").save(uri);
    Dataset<Row> queries = VecIndexTest.frame(java.util.Arrays.copyOf(vectors, 20), 2);
    for (String strategy : List.of("replicated", "partitioned")) {
      for (String exact : List.of("false", "true")) {
        List<Row> rows =
            KnnJoin.knnJoin(
                    queries, "embedding", uri, 1, Map.of("strategy", strategy, "exact", exact))
                .collectAsList();
        assertEquals(20, rows.size(), strategy + " exact=" + exact);
        for (Row row : rows) {
          // every query is a stored vector: its nearest neighbour is itself, at distance 0
          assertEquals(
              row.getLong(row.fieldIndex("id")),
              row.getLong(row.fieldIndex(KnnJoin.NEIGHBOR_ID)),
              strategy + " exact=" + exact);
          assertEquals(0f, row.getFloat(row.fieldIndex(KnnJoin.DISTANCE)), 1e-6f);
        }
      }
    }
    Row nearest =
        spark()
            .sql("SELECT vec_knn('" + uri + "', array(" + floats(vectors[7]) + "), 1)[0].id AS id")
            .first();
    assertEquals(1007L, nearest.getLong(0));
  }

  private static String floats(float[] vector) {
    StringBuilder out = new StringBuilder();
    for (float value : vector) {
      out.append(out.length() == 0 ? "" : ", ").append("CAST(").append(value).append(" AS FLOAT)");
    }
    return out.toString();
  }

  @Test
  void aRemoteShardThatDiffersFromTheManifestFailsTheReadNamingTheFile() throws Exception {
    Path local = temp.resolve("corrupt-remote");
    String uri = TestRemoteFileSystem.uri(local);
    VecIndexTest.vec(VecIndexTest.frame(VecIndexTest.vectors(50, 4), 1)).save(uri);
    ShardEntry shard = DatasetDirectory.of(uri).requireManifest().shards().get(0);
    try (RandomAccessFile file =
        new RandomAccessFile(local.resolve(shard.vec().file()).toFile(), "rw")) {
      file.seek(40);
      file.write(0x7f);
    }
    Exception error =
        assertThrows(Exception.class, () -> spark().read().format("vec").load(uri).collect());
    String expected = DatasetDirectory.of(uri).location(shard.vec().file()) + ": CRC32C differs";
    assertTrue(messages(error).contains(expected), messages(error));
  }
}
