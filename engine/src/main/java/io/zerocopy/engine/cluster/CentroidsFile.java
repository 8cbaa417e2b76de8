package io.zerocopy.engine.cluster;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A {@code .centroids} file: the routing centres of a clustered dataset. Little-endian:
 *
 * <pre>
 * offset  size  field
 *      0     4  magic 0x43535A43 ("CZSC" read as bytes C Z S C)
 *      4     4  version (1)
 *      8     4  count: centres
 *     12     4  dimension
 *     16     4  metric: 0 l2, 1 cosine, 2 dot
 *     20     4  CRC32C of the centres' bytes
 *     24     8  reserved, zero
 *     32        count × dimension float32, row-major; every value finite
 * </pre>
 *
 * Small (a centre per shard), so read whole; {@link #read} checks every field and names the file.
 */
public final class CentroidsFile {

  public static final int MAGIC = 0x43535A43;
  public static final int VERSION = 1;
  public static final int HEADER_BYTES = 32;

  /** Larger files are not centroids of any dataset we write (1M centres of dimension 1024). */
  static final long MAX_BYTES = HEADER_BYTES + 4L * (1 << 20) * 1024;

  private CentroidsFile() {}

  /** Writes {@code centroids} to {@code file} atomically. */
  public static void write(Path file, Centroids centroids) throws IOException {
    float[] values = centroids.toArray();
    ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    data.asFloatBuffer().put(values);
    CRC32C crc = new CRC32C();
    crc.update(data.duplicate());
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    header
        .putInt(MAGIC)
        .putInt(VERSION)
        .putInt(centroids.count())
        .putInt(centroids.dimension())
        .putInt(centroids.metric().ordinal())
        .putInt((int) crc.getValue())
        .putLong(0)
        .flip();
    AtomicFiles.write(
        file,
        channel -> {
          while (header.hasRemaining()) {
            channel.write(header);
          }
          while (data.hasRemaining()) {
            channel.write(data);
          }
        });
  }

  /** Reads and validates a centroids file; an error names the file, the field and both values. */
  public static Centroids read(Path file) throws IOException {
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "no such .centroids file");
    }
    if (size < HEADER_BYTES || size > MAX_BYTES) {
      throw invalid(
          file, "file size", HEADER_BYTES + " to " + MAX_BYTES + " bytes", size + " bytes");
    }
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.capacity() != size) {
      throw invalid(file, "file size", size + " bytes", bytes.capacity() + " bytes (changed)");
    }
    int magic = bytes.getInt(0);
    if (magic != MAGIC) {
      throw invalid(file, "magic", String.format("0x%08X", MAGIC), String.format("0x%08X", magic));
    }
    int version = bytes.getInt(4);
    if (version != VERSION) {
      throw invalid(file, "version", String.valueOf(VERSION), String.valueOf(version));
    }
    int count = bytes.getInt(8);
    int dimension = bytes.getInt(12);
    if (count < 1) {
      throw invalid(file, "count", "at least 1", String.valueOf(count));
    }
    if (dimension < 1) {
      throw invalid(file, "dimension", "at least 1", String.valueOf(dimension));
    }
    long expected = HEADER_BYTES + 4L * count * dimension;
    if (size != expected) {
      throw invalid(
          file,
          "file size",
          expected + " bytes (" + count + " centres of dimension " + dimension + ")",
          size + " bytes");
    }
    int metricCode = bytes.getInt(16);
    if (metricCode < 0 || metricCode >= Metric.values().length) {
      throw invalid(file, "metric", "0 (l2), 1 (cosine) or 2 (dot)", String.valueOf(metricCode));
    }
    if (bytes.getLong(24) != 0) {
      throw invalid(file, "reserved bytes", "zero", String.format("0x%016X", bytes.getLong(24)));
    }
    ByteBuffer data = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(HEADER_BYTES);
    CRC32C crc = new CRC32C();
    crc.update(data.duplicate());
    int stored = bytes.getInt(20);
    if ((int) crc.getValue() != stored) {
      throw invalid(
          file,
          "data checksum",
          String.format("CRC32C 0x%08X (from the header)", stored),
          String.format("0x%08X: the file is corrupted", (int) crc.getValue()));
    }
    float[] values = new float[count * dimension];
    data.asFloatBuffer().get(values);
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw invalid(
            file,
            "centre " + i / dimension + " value " + i % dimension,
            "a finite float",
            String.valueOf(values[i]));
      }
    }
    return new Centroids(values, count, dimension, Metric.values()[metricCode]);
  }

  private static IOException invalid(Path file, String field, String expected, String found) {
    return new IOException(
        file + ": invalid .centroids " + field + ": expected " + expected + ", found " + found);
  }
}
