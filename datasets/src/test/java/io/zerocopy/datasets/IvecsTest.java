package io.zerocopy.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IvecsTest {

  @TempDir Path dir;

  @Test
  void roundTripsGroundTruth() throws IOException {
    int[][] rows = new int[500][10];
    for (int r = 0; r < rows.length; r++) {
      for (int i = 0; i < 10; i++) {
        rows[r][i] = r * 31 + i * 7 - 100;
      }
    }
    Path file = dir.resolve("gt.ivecs");
    Ivecs.write(file, rows);
    assertEquals(500L * (4 + 40), Files.size(file));
    ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(10, head.getInt());
    assertEquals(-100, head.getInt());
    int[][] back = Ivecs.read(file);
    assertEquals(rows.length, back.length);
    for (int r = 0; r < rows.length; r++) {
      assertArrayEquals(rows[r], back[r]);
    }
  }

  @Test
  void rejectsALengthChangeMidFile() throws IOException {
    Path file = FvecsTest.records(dir.resolve("bad.ivecs"), 1, 5, 2, 5, 6);
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Ivecs.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("record 1 at byte 8"), e.getMessage());
    assertTrue(e.getMessage().contains("expected dimension 1"), e.getMessage());
  }

  @Test
  void rejectsATruncatedRow() throws IOException {
    Path file = FvecsTest.records(dir.resolve("short.ivecs"), 4, 1, 2);
    DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Ivecs.read(file));
    assertTrue(e.getMessage().contains("record 0"), e.getMessage());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void writeRejectsRaggedRows() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Ivecs.write(dir.resolve("r.ivecs"), new int[][] {{1}, {1, 2}}));
  }
}
