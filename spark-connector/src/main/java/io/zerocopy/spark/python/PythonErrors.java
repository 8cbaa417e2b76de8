package io.zerocopy.spark.python;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * What the Python package tells a user when a Spark job fails because of the connector: the error
 * the connector raised (the deepest throwable of the cause chain that our code threw or let
 * through), the Python type it maps to, and its message. One call over py4j, instead of walking a
 * Java cause chain and its stack traces element by element from Python.
 */
public final class PythonErrors {

  private PythonErrors() {}

  /**
   * The connector's error behind {@code error} (a Spark job failure, an analysis error, ...): the
   * deepest throwable in the cause chain with a stack frame in {@code io.zerocopy}; null if the
   * connector is not involved.
   */
  public static Throwable connectorCause(Throwable error) {
    Throwable found = null;
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable t = error; t != null && seen.put(t, true) == null; t = t.getCause()) {
      if (ours(t)) {
        found = t;
      }
    }
    // an UncheckedIOException of ours carries the IOException that says what happened
    if (found instanceof UncheckedIOException unchecked && unchecked.getCause() != null) {
      return unchecked.getCause();
    }
    return found;
  }

  private static boolean ours(Throwable t) {
    for (StackTraceElement frame : t.getStackTrace()) {
      if (frame.getClassName().startsWith("io.zerocopy.")) {
        return true;
      }
    }
    return false;
  }

  /** The name of the Python builtin exception type that {@code error} maps to. */
  public static String pythonType(Throwable error) {
    if (error instanceof NoSuchFileException || error instanceof FileNotFoundException) {
      return "FileNotFoundError";
    }
    if (error instanceof FileAlreadyExistsException) {
      return "FileExistsError";
    }
    if (error instanceof AccessDeniedException) {
      return "PermissionError";
    }
    if (error instanceof IOException) {
      return "OSError"; // a corrupt or changed shard file, an unreadable manifest
    }
    if (error instanceof IndexOutOfBoundsException) {
      return "IndexError";
    }
    if (error instanceof IllegalArgumentException) {
      String message = String.valueOf(error.getMessage());
      // a dataset that is not there is a missing file to a Python user
      if (message.startsWith("no vec dataset at ") || message.contains(" is not a vec dataset")) {
        return "FileNotFoundError";
      }
      return "ValueError";
    }
    if (error instanceof UnsupportedOperationException) {
      return "NotImplementedError";
    }
    return "RuntimeError";
  }

  /** The whole stack trace of {@code error}, causes included, as the JVM prints it. */
  public static String trace(Throwable error) {
    java.io.StringWriter text = new java.io.StringWriter();
    error.printStackTrace(new java.io.PrintWriter(text));
    return text.toString();
  }

  /** The message of {@code error}, or its class name if it has none. */
  public static String message(Throwable error) {
    String message = error.getMessage();
    return message == null || message.isBlank() ? error.getClass().getName() : message;
  }
}
