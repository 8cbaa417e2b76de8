package io.zerocopy.engine.store;

import java.io.IOException;
import java.nio.file.Path;

/** A file that is not a valid {@code .vec} file; the message names the file, field and values. */
public final class VecFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String field;

  VecFormatException(Path file, String field, String expected, String found) {
    super(file + ": invalid " + field + ": expected " + expected + ", found " + found);
    this.file = file;
    this.field = field;
  }

  /** The file that failed validation. */
  public Path file() {
    return file;
  }

  /** The header field or property that is wrong, e.g. "magic" or "file size". */
  public String field() {
    return field;
  }
}
