package io.zerocopy.spark.source.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.Test;

class VecWriteOptionsTest {

  static CaseInsensitiveStringMap options(String... keyValues) {
    Map<String, String> map = new HashMap<>();
    map.put("path", "/tmp/x");
    map.put("vectorColumn", "v");
    map.put("idColumn", "i");
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return new CaseInsensitiveStringMap(map);
  }

  static String error(String... keyValues) {
    return assertThrows(RuntimeException.class, () -> VecWriteOptions.from(options(keyValues)))
        .getMessage();
  }

  @Test
  void noOptionNamesAFile() {
    // file names come from the partition, the write's UUID and the task only; an option that
    // tried to choose one (a prefix, a shard name) is refused before anything is written
    for (String key : List.of("shardPrefix", "prefix", "shardName", "fileName", "idPath")) {
      String message = error(key, "../../outside");
      assertTrue(message.contains("unknown vec write option"), message);
      assertTrue(message.contains(key), message);
    }
  }

  @Test
  void defaults() {
    VecWriteOptions parsed = VecWriteOptions.from(options());
    assertEquals("v", parsed.vectorColumn());
    assertEquals("i", parsed.idColumn());
    assertNull(parsed.metric());
    assertNull(parsed.carriedColumns());
    assertEquals(VecWriteOptions.IndexKind.NONE, parsed.index());
    assertEquals(16, parsed.m());
    assertEquals(200, parsed.efConstruction());
    assertEquals(4096, parsed.batchRows());
  }

  @Test
  void parsesEveryOptionCaseInsensitively() {
    VecWriteOptions parsed =
        VecWriteOptions.from(
            options(
                "METRIC",
                "Cosine",
                "carriedcolumns",
                "a, b,",
                "M",
                "32",
                "efconstruction",
                "100",
                "index",
                "NONE"));
    assertEquals(Metric.COSINE, parsed.metric());
    assertEquals(List.of("a", "b"), parsed.carriedColumns());
    assertEquals(32, parsed.m());
    assertEquals(100, parsed.efConstruction());
  }

  @Test
  void errorsNameTheOptionAndTheAllowedValues() {
    String unknown = error("vectorColum", "x");
    assertTrue(unknown.startsWith("unknown vec write option vectorColum: allowed options are"));
    assertTrue(unknown.contains("vectorColumn"), unknown);
    assertTrue(error("metric", "hamming").contains("expected one of l2, cosine, dot"));
    assertTrue(error("index", "ivf").contains("expected one of none, hnsw"));
    assertTrue(error("efConstruction", "0").contains("must be in [1, 65536], got 0"));
    assertTrue(error("indexThreads", "-2").contains("option 'indexThreads' must be in"));
    assertEquals("option 'm' must be in [2, 512], got 1000", error("m", "1000"));
    assertTrue(
        error("efConstruction", "many").contains("option 'efConstruction' must be an integer"));
    assertTrue(error("batchRows", "0").contains("option 'batchRows' must be in"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    VecWriteOptions.from(
                        new CaseInsensitiveStringMap(Map.of("path", "/x", "idColumn", "i"))))
            .getMessage()
            .startsWith("option 'vectorColumn' is required"));
  }
}
