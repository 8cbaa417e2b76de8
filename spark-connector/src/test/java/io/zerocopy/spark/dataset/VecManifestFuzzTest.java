package io.zerocopy.spark.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Untrusted bytes as {@code _manifest.json}: parsing and the path checks must give a manifest that
 * names only files inside its directory and survives a round trip through JSON, or an {@link
 * IllegalArgumentException} whose message starts with the manifest's name (the documented contract
 * of {@link VecManifest#fromJson}); never another exception type.
 */
class VecManifestFuzzTest {

  private static final String SOURCE = "/fuzz/dataset/_manifest.json";

  @FuzzTest(maxDuration = "10m")
  void parse(byte[] bytes) {
    String json = new String(bytes, StandardCharsets.UTF_8);
    VecManifest manifest;
    try {
      manifest = DatasetPaths.check(VecManifest.fromJson(json, SOURCE), SOURCE);
    } catch (IllegalArgumentException e) {
      assertTrue(String.valueOf(e.getMessage()).startsWith(SOURCE), e.toString());
      return;
    }
    for (ShardEntry shard : manifest.shards()) {
      assertTrue(shard.count() >= 1 && shard.batchRows() >= 1, shard.toString());
      for (String file : shard.files()) {
        assertEquals(file, DatasetPaths.checkName(file, SOURCE));
      }
    }
    assertEquals(manifest.readSchema().length(), manifest.carriedSchema().length() + 2);
    VecManifest again = VecManifest.fromJson(manifest.toJson(), SOURCE);
    assertEquals(manifest.toJson(), again.toJson());
  }
}
