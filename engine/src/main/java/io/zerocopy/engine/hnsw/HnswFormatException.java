package io.zerocopy.engine.hnsw;

import java.io.IOException;
import java.nio.file.Path;

/** A file that is not a valid {@code .hnsw} file; the message names the file, field and values. */
public final class HnswFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String field;

  HnswFormatException(Path file, String field, String expected, String found) {
    super(file + ": invalid " + field + ": expected " + expected + ", found " + found);
    this.file = file;
    this.field = field;
  }

  /** The file that failed validation. */
  public Path file() {
    return file;
  }

  /** The header field, section or property that is wrong, e.g. "magic" or "data checksum". */
  public String field() {
    return field;
  }
}
