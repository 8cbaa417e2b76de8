package io.zerocopy.spark.dataset;

import java.io.IOException;

/** A shard file that is missing or differs (size, CRC32C) from what the manifest recorded. */
public final class ShardMismatchException extends IOException {

  private static final long serialVersionUID = 1L;

  public ShardMismatchException(String message) {
    super(message);
  }

  public ShardMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
