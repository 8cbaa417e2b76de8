package io.zerocopy.spark.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.spark.SparkTestBase;
import io.zerocopy.spark.VecDatasets;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quantization=int8} on writes and index builds (issue 29 step 2): the manifest lists each
 * shard's codes beside its index, searches walk on them and report exact distances.
 */
class QuantizedIndexTest extends SparkTestBase {

  @TempDir Path temp;

  @Test
  void aWriteWithInt8CodesListsThemAndSearchesWalkOnThem() throws Exception {
    float[][] vectors = VecIndexTest.vectors(VecIndexTest.COUNT, VecIndexTest.DIMENSION);
    String path = temp.resolve("int8").toString();
    VecIndexTest.vec(VecIndexTest.frame(vectors, 3))
        .option("index", "hnsw")
        .option("quantization", "INT8")
        .option("m", "8")
        .option("efConstruction", "64")
        .save(path);
    DatasetDirectory directory = DatasetDirectory.of(path);
    VecManifest manifest = directory.requireManifest();
    assertEquals(3, manifest.shards().size());
    for (ShardEntry shard : manifest.shards()) {
      assertNotNull(shard.codes(), shard.name());
      Path codes = Path.of(path, shard.codes().file());
      assertEquals(shard.codes().bytes(), Files.size(codes));
      assertEquals(shard.codes().crc32c(), DatasetDirectory.crc32c(codes));
      assertTrue(shard.codes().file().startsWith(shard.name()), shard.codes().file());
      // a byte per float and a 2-byte error bound per vector, after a 64-byte header and the
      // ranges (192 bytes at 16-d): 18/64 of the .vec's rows here, 386/1,536 at 384-d
      long rows = (shard.vec().bytes() - 32) / (4L * VecIndexTest.DIMENSION);
      assertEquals(
          192 + rows * (VecIndexTest.DIMENSION + 2), shard.codes().bytes(), shard.codes().file());
      try (HnswIndex index = ShardIndexes.open(directory, shard, manifest.dimension())) {
        assertEquals("int8", index.stats().get("quantization"));
      }
    }
    // the manifest round-trips its codes, and nothing but listed files is left
    assertEquals(manifest, VecManifest.fromJson(manifest.toJson(), "test"));
    assertEquals(VecIndexTest.listed(manifest), VecIndexTest.files(path));
    double recall = VecIndexTest.recall(path, vectors);
    assertTrue(recall >= 0.95, "recall@10 " + recall);
    assertVecKnnIsExactlyScored(path, vectors);
  }

  /** vec_knn on the codes: recall against exact search, and the exact distances reported. */
  private void assertVecKnnIsExactlyScored(String path, float[][] vectors) {
    int hits = 0;
    int queries = 10;
    for (int q = 0; q < queries; q++) {
      float[] query = vectors[(q * 37 + 5) % vectors.length];
      Set<Long> truth = new HashSet<>(VecIndexTest.exact(vectors, query, 10));
      String literal =
          java.util.stream.IntStream.range(0, query.length)
              .mapToObj(j -> "cast(" + query[j] + " as float)")
              .collect(Collectors.joining(", "));
      List<Row> found =
          spark()
              .sql("SELECT vec_knn('" + path + "', array(" + literal + "), 10, 64) AS nn")
              .first()
              .getList(0);
      assertEquals(10, found.size());
      for (Row neighbour : found) {
        long id = neighbour.getLong(0);
        assertEquals(
            Distance.calculate(query, vectors[(int) (id - 1000)], Metric.L2),
            neighbour.getFloat(1),
            1e-4,
            "distance of id " + id);
        hits += truth.contains(id) ? 1 : 0;
      }
    }
    assertTrue(hits >= 0.95 * queries * 10, "vec_knn recall " + hits + " of " + queries * 10);
  }

  @Test
  void aWriteWithPqCodesListsThemAndKeepsRecall() throws Exception {
    float[][] vectors = VecIndexTest.vectors(VecIndexTest.COUNT, VecIndexTest.DIMENSION);
    String path = temp.resolve("pq").toString();
    VecIndexTest.vec(VecIndexTest.frame(vectors, 2))
        .option("index", "hnsw")
        .option("quantization", "pq")
        .option("m", "8")
        .save(path);
    DatasetDirectory directory = DatasetDirectory.of(path);
    VecManifest manifest = directory.requireManifest();
    for (ShardEntry shard : manifest.shards()) {
      assertTrue(shard.codes().file().endsWith(".pq"), shard.codes().file());
      try (HnswIndex index = ShardIndexes.open(directory, shard, manifest.dimension())) {
        assertEquals("pq", index.stats().get("quantization"));
      }
    }
    assertEquals(VecIndexTest.listed(manifest), VecIndexTest.files(path));
    double recall = VecIndexTest.recall(path, vectors);
    assertTrue(recall >= 0.95, "recall@10 " + recall);
    assertVecKnnIsExactlyScored(path, vectors);
  }

  @Test
  void buildIndexWithCodesThenWithoutRetiresThem() throws Exception {
    float[][] vectors = VecIndexTest.vectors(VecIndexTest.COUNT, VecIndexTest.DIMENSION);
    String path = temp.resolve("later").toString();
    VecIndexTest.vec(VecIndexTest.frame(vectors, 2)).save(path);
    VecManifest quantized =
        VecDatasets.buildIndex(spark(), path, Map.of("m", "8", "quantization", "int8")).manifest();
    Set<String> codes = new TreeSet<>();
    for (ShardEntry shard : quantized.shards()) {
      assertNotNull(shard.codes(), shard.name());
      codes.add(shard.codes().file());
    }
    assertEquals(VecIndexTest.listed(quantized), VecIndexTest.files(path));
    assertTrue(VecIndexTest.recall(path, vectors) >= 0.95);

    VecManifest plain = VecDatasets.buildIndex(spark(), path, Map.of("m", "8")).manifest();
    plain.shards().forEach(shard -> assertNull(shard.codes(), shard.name()));
    Set<String> retired = new TreeSet<>();
    plain.retired().forEach(file -> retired.add(file.file()));
    assertTrue(retired.containsAll(codes), retired + " retires " + codes);
    assertEquals(VecIndexTest.listed(plain), VecIndexTest.files(path));
    assertTrue(VecIndexTest.recall(path, vectors) >= 0.95);
  }

  @Test
  void badQuantizationValuesNameTheOptionAndTheAllowedValues() throws Exception {
    Dataset<Row> df = VecIndexTest.frame(VecIndexTest.vectors(16, 4), 1);
    String path = temp.resolve("bad").toString();
    String unknown =
        messages(
            assertThrows(
                Exception.class,
                () ->
                    VecIndexTest.vec(df)
                        .option("index", "hnsw")
                        .option("quantization", "fp16")
                        .save(path)));
    assertTrue(
        unknown.contains(
            "option 'quantization': unknown value 'fp16': expected one of none, int8, pq"),
        unknown);
    String noIndex =
        messages(
            assertThrows(
                Exception.class,
                () -> VecIndexTest.vec(df).option("quantization", "int8").save(path)));
    assertTrue(noIndex.contains("option 'quantization'=int8 needs option 'index'='hnsw'"), noIndex);
    assertTrue(!Files.exists(Path.of(path)) || Path.of(path).toFile().list().length == 0);

    VecIndexTest.vec(df).save(path);
    String build =
        assertThrows(
                IllegalArgumentException.class,
                () -> VecDatasets.buildIndex(spark(), path, Map.of("quantization", "int4")))
            .getMessage();
    assertTrue(build.contains("option 'quantization': unknown value 'int4'"), build);
  }

  @Test
  void codesThatDifferFromTheManifestAreRejectedNamingTheFile() throws Exception {
    String path = temp.resolve("corrupt").toString();
    VecIndexTest.vec(VecIndexTest.frame(VecIndexTest.vectors(100, 8), 1))
        .option("index", "hnsw")
        .option("quantization", "int8")
        .option("m", "8")
        .save(path);
    DatasetDirectory directory = DatasetDirectory.of(path);
    ShardEntry shard = directory.requireManifest().shards().get(0);
    Path codes = Path.of(path, shard.codes().file());
    try (RandomAccessFile file = new RandomAccessFile(codes.toFile(), "rw")) {
      file.seek(file.length() - 1);
      int last = file.read();
      file.seek(file.length() - 1);
      file.write(last ^ 0x5a);
    }
    String checksum =
        assertThrows(IOException.class, () -> ShardIndexes.open(directory, shard, 8)).getMessage();
    assertTrue(checksum.startsWith(codes + ": CRC32C differs from the manifest"), checksum);
  }
}
