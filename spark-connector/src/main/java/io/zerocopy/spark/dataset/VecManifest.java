package io.zerocopy.spark.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zerocopy.engine.distance.Metric;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The content of {@code _manifest.json}, the commit record of a vec dataset: what a reader may read
 * and how to verify it. {@code dimension} is 0 only while the dataset has no shard.
 *
 * <pre>{@code
 * {
 *   "formatVersion": 1,
 *   "writeId": "<uuid of the write that produced this manifest>",
 *   "dimension": 784,
 *   "metric": "l2",
 *   "vectorColumn": "embedding",
 *   "idColumn": {"name": "id", "type": "long"},
 *   "carriedSchema": {<Spark StructType JSON of the carried columns>},
 *   "count": 60000,
 *   "shards": [
 *     {"name": "part-00000-<uuid>", "count": 30000, "batchRows": 4096,
 *      "vec": {"file": "part-00000-<uuid>.vec", "bytes": ..., "crc32c": "1a2b3c4d"},
 *      "ids": {"file": "part-00000-<uuid>.ids.arrow", "bytes": ..., "crc32c": "..."},
 *      "index": null}
 *   ],
 *   (an indexed shard: "index": {"file": "<shard>.hnsw", ...}, and with quantization=int8
 *    "codes": {"file": "<shard>.i8", ...}, absent otherwise)
 *   "retired": [{"file": "part-00000-<older uuid>.vec", "since": <epoch ms>}],
 *   "centroids": {"file": "part-centroids-<uuid>.centroids", "bytes": ..., "crc32c": "..."}
 * }
 * }</pre>
 *
 * <p>A clustered dataset ({@code partitioning=kmeans}) lists its centroids file, and each shard the
 * cluster whose rows it holds ({@code "cluster": 3}); several shards may share a cluster. With
 * boundary replicas ({@code "boundaryReplicas": 0.1}, the write's factor, which appends follow), a
 * shard's last {@code "replicas"} rows are copies of rows of other clusters; {@code count} at the
 * top counts every row once.
 *
 * <p>{@code retired} lists files that an earlier manifest referenced and this one replaced: they
 * stay on disk for {@link RetiredFiles#RETENTION_CONF} so that a query planned on the earlier
 * manifest can finish. Absent in manifests written before it existed.
 */
public record VecManifest(
    int formatVersion,
    String writeId,
    int dimension,
    Metric metric,
    String vectorColumn,
    String idColumn,
    IdType idType,
    StructType carriedSchema,
    List<ShardEntry> shards,
    List<RetiredFiles.Retired> retired,
    FileEntry centroids,
    double boundaryReplicas)
    implements Serializable {

  public static final int FORMAT_VERSION = 1;

  /** The column names a reader sees for the id and the vector. */
  public static final String ID = "id";

  public static final String VECTOR = "vector";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public VecManifest {
    if (!(boundaryReplicas >= 0) || Double.isInfinite(boundaryReplicas)) {
      throw new IllegalArgumentException(
          "boundaryReplicas must be finite and >= 0, got " + boundaryReplicas);
    }
    if (boundaryReplicas > 0 && centroids == null) {
      throw new IllegalArgumentException("boundaryReplicas needs a clustered dataset");
    }
    shards = List.copyOf(shards);
    retired = List.copyOf(retired);
    for (ShardEntry shard : shards) {
      if ((centroids == null) != (shard.cluster() == ShardEntry.UNCLUSTERED)) {
        throw new IllegalArgumentException(
            centroids == null
                ? "shard "
                    + shard.name()
                    + " names cluster "
                    + shard.cluster()
                    + ", but the dataset has no centroids"
                : "shard "
                    + shard.name()
                    + " has no cluster, but the dataset is clustered ("
                    + centroids.file()
                    + ")");
      }
    }
  }

  /** The prefix of a clustered dataset's centroids file: {@code part-centroids-<writeId>}. */
  public static final String CENTROIDS_PREFIX = "part-centroids-";

  /** The centroids file a write of {@code writeId} creates. */
  public static String centroidsFile(String writeId) {
    return CENTROIDS_PREFIX + writeId + ".centroids";
  }

  /**
   * True if some shard holds boundary replicas, so that one id may be found in several shards: a
   * search keeps each id once.
   */
  public boolean hasReplicas() {
    return shards.stream().anyMatch(shard -> shard.replicas() > 0);
  }

  /** True if the dataset's shards are clusters, each query routable to its nearest ones. */
  public boolean clustered() {
    return centroids != null;
  }

  /** Every file the manifest references: each shard's, and the centroids file if clustered. */
  public List<String> files() {
    List<String> files = new ArrayList<>();
    shards.forEach(shard -> files.addAll(shard.files()));
    if (centroids != null) {
      files.add(centroids.file());
    }
    return files;
  }

  /** A manifest that has no centroids. */
  public VecManifest(
      int formatVersion,
      String writeId,
      int dimension,
      Metric metric,
      String vectorColumn,
      String idColumn,
      IdType idType,
      StructType carriedSchema,
      List<ShardEntry> shards,
      List<RetiredFiles.Retired> retired) {
    this(
        formatVersion,
        writeId,
        dimension,
        metric,
        vectorColumn,
        idColumn,
        idType,
        carriedSchema,
        shards,
        retired,
        null,
        0);
  }

  /** A manifest that retires nothing. */
  public VecManifest(
      int formatVersion,
      String writeId,
      int dimension,
      Metric metric,
      String vectorColumn,
      String idColumn,
      IdType idType,
      StructType carriedSchema,
      List<ShardEntry> shards) {
    this(
        formatVersion,
        writeId,
        dimension,
        metric,
        vectorColumn,
        idColumn,
        idType,
        carriedSchema,
        shards,
        List.of());
  }

  /** Total vectors over all shards, each once (boundary replicas not counted). */
  public long count() {
    return shards.stream().mapToLong(ShardEntry::rows).sum();
  }

  /** What {@code spark.read.format("vec")} returns: id, vector, then the carried columns. */
  public StructType readSchema() {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField(ID, idType.sparkType(), false));
    fields.add(
        DataTypes.createStructField(VECTOR, new ArrayType(DataTypes.FloatType, false), false));
    fields.addAll(List.of(carriedSchema.fields()));
    return DataTypes.createStructType(fields);
  }

  /** The schema of the {@code .ids.arrow} files: the id (named "id") and the carried columns. */
  public StructType idsSchema() {
    return idsSchema(idType, carriedSchema);
  }

  public static StructType idsSchema(IdType idType, StructType carried) {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField(ID, idType.sparkType(), false));
    fields.addAll(List.of(carried.fields()));
    return DataTypes.createStructType(fields);
  }

  /** This manifest with other shards (and, if it had none, the given dimension). */
  public VecManifest withShards(String newWriteId, int newDimension, List<ShardEntry> newShards) {
    return withShards(newWriteId, newDimension, newShards, centroids, boundaryReplicas);
  }

  /** This manifest with other shards, centroids (null: unclustered) and replica factor. */
  public VecManifest withShards(
      String newWriteId,
      int newDimension,
      List<ShardEntry> newShards,
      FileEntry newCentroids,
      double newBoundaryReplicas) {
    return new VecManifest(
        formatVersion,
        newWriteId,
        newDimension,
        metric,
        vectorColumn,
        idColumn,
        idType,
        carriedSchema,
        newShards,
        retired,
        newCentroids,
        newBoundaryReplicas);
  }

  /** This manifest with another list of retired files. */
  public VecManifest withRetired(List<RetiredFiles.Retired> newRetired) {
    return new VecManifest(
        formatVersion,
        writeId,
        dimension,
        metric,
        vectorColumn,
        idColumn,
        idType,
        carriedSchema,
        shards,
        newRetired,
        centroids,
        boundaryReplicas);
  }

  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("formatVersion", formatVersion);
    root.put("writeId", writeId);
    root.put("dimension", dimension);
    root.put("metric", metric.id());
    root.put("vectorColumn", vectorColumn);
    ObjectNode id = root.putObject("idColumn");
    id.put("name", idColumn);
    id.put("type", idType.id());
    try {
      root.set("carriedSchema", JSON.readTree(carriedSchema.json()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise carried schema " + carriedSchema, e);
    }
    root.put("count", count());
    ArrayNode array = root.putArray("shards");
    for (ShardEntry shard : shards) {
      ObjectNode node = array.addObject();
      node.put("name", shard.name());
      node.put("count", shard.count());
      node.put("batchRows", shard.batchRows());
      putFile(node, "vec", shard.vec());
      putFile(node, "ids", shard.ids());
      putFile(node, "index", shard.index());
      if (shard.codes() != null) {
        putFile(node, "codes", shard.codes());
      }
      if (shard.cluster() != ShardEntry.UNCLUSTERED) {
        node.put("cluster", shard.cluster());
      }
      if (shard.replicas() > 0) {
        node.put("replicas", shard.replicas());
      }
    }
    if (centroids != null) {
      putFile(root, "centroids", centroids);
    }
    if (boundaryReplicas > 0) {
      root.put("boundaryReplicas", boundaryReplicas);
    }
    ArrayNode retiredArray = root.putArray("retired");
    for (RetiredFiles.Retired file : retired) {
      ObjectNode node = retiredArray.addObject();
      node.put("file", file.file());
      node.put("since", file.since());
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise manifest", e);
    }
  }

  private static void putFile(ObjectNode shard, String key, FileEntry file) {
    if (file == null) {
      shard.putNull(key);
      return;
    }
    ObjectNode node = shard.putObject(key);
    node.put("file", file.file());
    node.put("bytes", file.bytes());
    node.put("crc32c", file.crc32cHex());
  }

  /** Parses a manifest; every error names {@code source} and the field. */
  public static VecManifest fromJson(String json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(source + ": expected a JSON object");
    }
    int version = required(root, "formatVersion", source).asInt();
    if (version != FORMAT_VERSION) {
      throw new IllegalArgumentException(
          source
              + ": unsupported formatVersion "
              + version
              + " (this connector reads version "
              + FORMAT_VERSION
              + ")");
    }
    try {
      JsonNode id = required(root, "idColumn", source);
      DataType carried = DataType.fromJson(required(root, "carriedSchema", source).toString());
      List<ShardEntry> shards = new ArrayList<>();
      for (JsonNode node : required(root, "shards", source)) {
        shards.add(
            new ShardEntry(
                required(node, "name", source).asText(),
                required(node, "count", source).asLong(),
                required(node, "batchRows", source).asInt(),
                file(node, "vec", source),
                file(node, "ids", source),
                node.hasNonNull("index") ? file(node, "index", source) : null,
                node.hasNonNull("codes") ? file(node, "codes", source) : null,
                node.hasNonNull("cluster")
                    ? required(node, "cluster", source).asInt()
                    : ShardEntry.UNCLUSTERED,
                node.hasNonNull("replicas") ? required(node, "replicas", source).asLong() : 0));
      }
      List<RetiredFiles.Retired> retired = new ArrayList<>();
      if (root.hasNonNull("retired")) {
        for (JsonNode node : root.get("retired")) {
          retired.add(
              new RetiredFiles.Retired(
                  required(node, "file", source).asText(),
                  required(node, "since", source).asLong()));
        }
      }
      return new VecManifest(
          version,
          required(root, "writeId", source).asText(),
          required(root, "dimension", source).asInt(),
          metric(required(root, "metric", source).asText(), source),
          required(root, "vectorColumn", source).asText(),
          required(id, "name", source).asText(),
          IdType.parse(required(id, "type", source).asText()),
          (StructType) carried,
          shards,
          retired,
          root.hasNonNull("centroids") ? file(root, "centroids", source) : null,
          root.hasNonNull("boundaryReplicas")
              ? required(root, "boundaryReplicas", source).asDouble()
              : 0);
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(source)) {
        throw e;
      }
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(source + ": invalid manifest: " + e, e);
    }
  }

  private static Metric metric(String name, String source) {
    try {
      return Metric.parse(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": field 'metric': " + e.getMessage(), e);
    }
  }

  private static FileEntry file(JsonNode shard, String key, String source) {
    JsonNode node = required(shard, key, source);
    return new FileEntry(
        required(node, "file", source).asText(),
        required(node, "bytes", source).asLong(),
        Long.parseLong(required(node, "crc32c", source).asText(), 16));
  }

  private static JsonNode required(JsonNode node, String field, String source) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException(source + ": missing field '" + field + "'");
    }
    return value;
  }
}
