package io.zerocopy.datasets;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file ({@code .fvecs}, {@code .ivecs}, IDX) that is not what it claims to be; the message
 * names the file, the record or field, what was expected and what was found.
 */
public final class DatasetFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;

  DatasetFormatException(Path file, String where, String expected, String found) {
    super(file + ": " + where + ": expected " + expected + ", found " + found);
    this.file = file;
  }

  /** The file that failed validation. */
  public Path file() {
    return file;
  }
}
