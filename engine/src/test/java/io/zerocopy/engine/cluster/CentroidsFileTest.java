package io.zerocopy.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.engine.distance.Metric;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .centroids file: round trip, and every kind of damage reported naming the file. */
class CentroidsFileTest {

  @TempDir Path dir;

  private Path valid() throws IOException {
    float[] values = new float[3 * 4];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 0.5f - 2;
    }
    Path file = dir.resolve("c.centroids");
    CentroidsFile.write(file, new Centroids(values, 3, 4, Metric.COSINE));
    return file;
  }

  @Test
  void roundTrip() throws IOException {
    Path file = valid();
    assertEquals(CentroidsFile.HEADER_BYTES + 3 * 4 * 4, Files.size(file));
    Centroids read = CentroidsFile.read(file);
    assertEquals(3, read.count());
    assertEquals(4, read.dimension());
    assertEquals(Metric.COSINE, read.metric());
    assertArrayEquals(new float[] {2, 2.5f, 3, 3.5f}, read.centroid(2));
  }

  private String damaged(Consumer<ByteBuffer> damage) throws IOException {
    Path file = valid();
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    damage.accept(bytes);
    Files.write(file, bytes.array());
    String message = assertThrows(IOException.class, () -> CentroidsFile.read(file)).getMessage();
    assertTrue(message.startsWith(file + ": invalid .centroids "), message);
    return message;
  }

  @Test
  void damageIsNamed() throws IOException {
    assertTrue(
        damaged(b -> b.putInt(0, 7)).contains("magic: expected 0x43535A43, found 0x00000007"));
    assertTrue(damaged(b -> b.putInt(4, 2)).contains("version: expected 1, found 2"));
    assertTrue(damaged(b -> b.putInt(8, 4)).contains("file size: expected 96 bytes"));
    assertTrue(damaged(b -> b.putInt(12, 0)).contains("dimension: expected at least 1, found 0"));
    assertTrue(damaged(b -> b.putInt(16, 3)).contains("metric: expected 0 (l2)"));
    assertTrue(damaged(b -> b.putInt(24, 1)).contains("reserved bytes"));
    assertTrue(damaged(b -> b.putFloat(40, 9)).contains("data checksum"));
    Path file = valid();
    Files.write(file, new byte[10]);
    assertTrue(
        assertThrows(IOException.class, () -> CentroidsFile.read(file))
            .getMessage()
            .contains("file size: expected 32 to"));
    NoSuchFileException missing =
        assertThrows(NoSuchFileException.class, () -> CentroidsFile.read(dir.resolve("none")));
    assertTrue(missing.getMessage().contains("none"));
  }

  @Test
  void nonFiniteValuesAreRejectedEvenWithAValidChecksum() throws IOException {
    float[] values = {1, 2, 3, 4};
    Path file = dir.resolve("nan.centroids");
    CentroidsFile.write(file, new Centroids(values, 2, 2, Metric.L2));
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    bytes.putFloat(CentroidsFile.HEADER_BYTES + 8, Float.NaN);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes.array(), CentroidsFile.HEADER_BYTES, 16);
    bytes.putInt(20, (int) crc.getValue());
    Files.write(file, bytes.array());
    String message = assertThrows(IOException.class, () -> CentroidsFile.read(file)).getMessage();
    assertTrue(message.contains("centre 1 value 0: expected a finite float, found NaN"), message);
  }
}
