package io.zerocopy.spark.join;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.spark.SparkTestBase;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.FileEntry;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Test data for the joins: vec datasets written through the data source, and, until the data source
 * builds indexes itself, one HNSW graph per shard built here and recorded in the manifest.
 */
final class JoinFixtures extends SparkTestBase {

  static final StructType ITEMS =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false)
          .add("label", DataTypes.StringType, true);

  static final StructType QUERIES =
      new StructType()
          .add("qid", DataTypes.LongType, false)
          .add("qv", DataTypes.createArrayType(DataTypes.FloatType, true), true);

  private JoinFixtures() {}

  /** Random vectors with coordinates rounded to 1/64, so distances rarely tie but are exact. */
  static float[][] randomVectors(int count, int dimension, long seed) {
    Random random = new Random(seed);
    float[][] vectors = new float[count][dimension];
    for (float[] vector : vectors) {
      for (int d = 0; d < dimension; d++) {
        vector[d] = (float) random.nextGaussian();
      }
    }
    return vectors;
  }

  static List<Float> boxed(float[] vector) {
    List<Float> list = new ArrayList<>(vector.length);
    for (float value : vector) {
      list.add(value);
    }
    return list;
  }

  /** The items as a DataFrame (id, vector, label) in {@code partitions} partitions. */
  static Dataset<Row> itemFrame(float[][] vectors, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < vectors.length; i++) {
      rows.add(RowFactory.create((long) i, boxed(vectors[i]), "label-" + (i % 7)));
    }
    return frame(rows, ITEMS, partitions);
  }

  /** Queries (qid, qv) in {@code partitions} partitions. */
  static Dataset<Row> queryFrame(float[][] vectors, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < vectors.length; i++) {
      rows.add(RowFactory.create((long) i, vectors[i] == null ? null : boxed(vectors[i])));
    }
    return frame(rows, QUERIES, partitions);
  }

  /** Writes the items as a vec dataset of {@code shards} shards (one per partition). */
  static String writeDataset(Path directory, float[][] vectors, int shards, Metric metric) {
    String path = directory.toString();
    itemFrame(vectors, shards)
        .write()
        .format("vec")
        .option("vectorColumn", "vector")
        .option("idColumn", "id")
        .option("metric", metric.id())
        .mode("overwrite")
        .save(path);
    return path;
  }

  /** The .vec file of a single-shard dataset. */
  static Path vectorsFile(Path dataset) {
    VecManifest manifest = DatasetDirectory.of(dataset.toString()).requireManifest();
    if (manifest.shards().size() != 1) {
      throw new IllegalArgumentException(dataset + " has " + manifest.shards().size() + " shards");
    }
    return dataset.resolve(manifest.shards().get(0).vec().file());
  }

  /** Builds one HNSW graph per shard and commits a manifest that lists them. */
  static void buildIndexes(String path, int m, int efConstruction) throws IOException {
    DatasetDirectory directory = DatasetDirectory.of(path);
    VecManifest manifest = directory.requireManifest();
    Metric metric = manifest.metric();
    List<ShardEntry> indexed = new ArrayList<>();
    for (ShardEntry shard : manifest.shards()) {
      String file = shard.name() + ".hnsw";
      Path target = directory.resolve(file);
      try (VectorStore store = VectorStore.open(directory.resolve(shard.vec().file()));
          HnswIndex index = new HnswIndex(store, m, efConstruction, metric)) {
        index.build();
        index.save(target);
      }
      FileEntry entry = new FileEntry(file, Files.size(target), DatasetDirectory.crc32c(target));
      indexed.add(shard.withIndex(entry));
    }
    io.zerocopy.spark.dataset.ManifestCommit.commit(
        directory,
        "the test's index build",
        newest ->
            manifest.withShards(manifest.writeId() + "-indexed", manifest.dimension(), indexed));
  }
}
