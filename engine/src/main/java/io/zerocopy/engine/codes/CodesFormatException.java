package io.zerocopy.engine.codes;

import java.io.IOException;

/**
 * A file that is not a valid codes file ({@code .i8} or {@code .pq}); the message names the file,
 * the field and the expected and found values.
 */
public final class CodesFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  CodesFormatException(String message) {
    super(message);
  }
}
