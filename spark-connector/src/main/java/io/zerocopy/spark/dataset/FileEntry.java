package io.zerocopy.spark.dataset;

import java.io.Serializable;

/**
 * One file of a shard as the manifest lists it: its name inside the dataset directory, its exact
 * size and its CRC32C.
 */
public record FileEntry(String file, long bytes, long crc32c) implements Serializable {

  public FileEntry {
    if (file == null || file.isEmpty() || file.contains("/") || file.contains("\\")) {
      throw new IllegalArgumentException("invalid shard file name '" + file + "'");
    }
    if (bytes < 0) {
      throw new IllegalArgumentException(file + ": negative size " + bytes);
    }
    // 8 hex digits in the manifest: anything else would not survive the next manifest write
    if (crc32c < 0 || crc32c > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(
          file + ": CRC32C " + Long.toHexString(crc32c) + " is not a 32-bit value");
    }
  }

  /** The checksum as 8 hex digits, as stored in the manifest. */
  public String crc32cHex() {
    return String.format("%08x", crc32c);
  }
}
