package io.zerocopy.spark.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class VecManifestTest {

  static VecManifest sample() {
    StructType carried =
        DataTypes.createStructType(
            new StructField[] {
              DataTypes.createStructField("label", DataTypes.StringType, true),
              DataTypes.createStructField(
                  "tags", DataTypes.createArrayType(DataTypes.IntegerType), true)
            });
    ShardEntry shard =
        new ShardEntry(
            "part-00000-w-1",
            10,
            4096,
            new FileEntry("part-00000-w-1.vec", 32 + 10 * 3 * 4, 0xfedcba98L),
            new FileEntry("part-00000-w-1.ids.arrow", 1234, 0x1L),
            null);
    return new VecManifest(
        1, "w", 3, Metric.COSINE, "embedding", "key", IdType.STRING, carried, List.of(shard));
  }

  @Test
  void roundTripsThroughJson() {
    VecManifest manifest = sample();
    String json = manifest.toJson();
    assertTrue(json.contains("\"crc32c\" : \"fedcba98\""), json);
    assertTrue(json.contains("\"index\" : null"), json);
    VecManifest back = VecManifest.fromJson(json, "m.json");
    assertEquals(manifest, back);
    assertEquals(10, back.count());
    assertNull(back.shards().get(0).index());
    assertEquals(List.of("id", "vector", "label", "tags"), List.of(back.readSchema().fieldNames()));
  }

  @Test
  void boundaryReplicasRoundTripAndAreNotCounted() {
    VecManifest base = sample();
    ShardEntry own = base.shards().get(0);
    ShardEntry clustered =
        new ShardEntry(own.name(), own.count(), own.batchRows(), own.vec(), own.ids(), null, 0, 4);
    FileEntry centroids = new FileEntry("part-centroids-w.centroids", 100, 0x2L);
    VecManifest manifest = base.withShards("w2", 3, List.of(clustered), centroids, 0.15);
    String json = manifest.toJson();
    assertTrue(json.contains("\"replicas\" : 4"), json);
    assertTrue(json.contains("\"boundaryReplicas\" : 0.15"), json);
    assertTrue(json.contains("\"count\" : 6"), json); // 10 rows, 4 of them replicas
    VecManifest back = VecManifest.fromJson(json, "m.json");
    assertEquals(manifest, back);
    assertEquals(6, back.count());
    assertEquals(6, back.shards().get(0).rows());
    assertTrue(back.hasReplicas());
    assertFalse(sample().hasReplicas());
    IllegalArgumentException tooMany =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                VecManifest.fromJson(
                    json.replace("\"replicas\" : 4", "\"replicas\" : 11"), "m.json"));
    assertTrue(
        tooMany.getMessage().startsWith("m.json: shard part-00000-w-1: replicas"),
        tooMany.getMessage());
    IllegalArgumentException negative =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                VecManifest.fromJson(
                    json.replace("\"boundaryReplicas\" : 0.15", "\"boundaryReplicas\" : -1"),
                    "m.json"));
    assertTrue(negative.getMessage().contains("boundaryReplicas must be finite and >= 0"));
  }

  @Test
  void holdsAMetricAndRejectsAnUnknownOneNamingTheFile() {
    String json = sample().toJson();
    assertTrue(json.contains("\"metric\" : \"cosine\""), json);
    assertEquals(Metric.COSINE, VecManifest.fromJson(json, "m.json").metric());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> VecManifest.fromJson(json.replace("\"cosine\"", "\"manhattan\""), "m.json"));
    assertTrue(
        e.getMessage().startsWith("m.json: field 'metric': unknown metric 'manhattan'"),
        e.getMessage());
    assertTrue(e.getMessage().contains("l2, cosine, dot"), e.getMessage());
  }

  @Test
  void rejectsACrc32cThatIsNotThirtyTwoBits() {
    // found by VecManifestFuzzTest: "-7" parsed, but was written back as 16 hex digits that
    // the next read rejected
    String json = sample().toJson();
    for (String crc : new String[] {"-7", "1ffffffff"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> VecManifest.fromJson(json.replace("fedcba98", crc), "m.json"));
      assertTrue(e.getMessage().startsWith("m.json: "), e.getMessage());
      assertTrue(e.getMessage().contains("is not a 32-bit value"), e.getMessage());
    }
  }

  @Test
  void errorsNameTheFileAndField() {
    IllegalArgumentException version =
        assertThrows(
            IllegalArgumentException.class,
            () -> VecManifest.fromJson("{\"formatVersion\": 9}", "/d/_manifest.json"));
    assertTrue(version.getMessage().startsWith("/d/_manifest.json: unsupported formatVersion 9"));
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> VecManifest.fromJson(sample().toJson().replace("\"writeId\"", "\"x\""), "m"));
    assertEquals("m: missing field 'writeId'", missing.getMessage());
    IllegalArgumentException garbage =
        assertThrows(IllegalArgumentException.class, () -> VecManifest.fromJson("{", "m"));
    assertTrue(garbage.getMessage().startsWith("m: not valid JSON"));
  }

  @Test
  void localPathsAreUsedInPlaceOthersGoThroughHadoop() {
    assertEquals("/tmp/x", DatasetDirectory.of("file:///tmp/x/").toString());
    assertEquals("/tmp/x", DatasetDirectory.of("/tmp/./x").toString());
    assertFalse(DatasetDirectory.of("/tmp/x").isRemote());
    DatasetDirectory remote = DatasetDirectory.of("s3a://b/x/");
    assertTrue(remote.isRemote());
    assertEquals("s3a://b/x", remote.toString());
    assertEquals("s3a://b/x/_manifest.json", remote.location("_manifest.json"));
    assertThrows(IllegalStateException.class, remote::path);
    assertThrows(IllegalArgumentException.class, () -> DatasetDirectory.of(null));
  }
}
