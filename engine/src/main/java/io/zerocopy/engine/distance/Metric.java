package io.zerocopy.engine.distance;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The seed's three distances; smaller is always closer. */
public enum Metric {
  /** Euclidean: {@code sqrt(sum((a-b)^2))}. */
  L2("l2"),
  /** {@code 1 - a·b / (|a| |b|)}; a zero vector is at distance 1 from everything. */
  COSINE("cosine"),
  /** Negated inner product: {@code -(a·b)}. */
  DOT("dot");

  private final String id;

  Metric(String id) {
    this.id = id;
  }

  /** The name used in files, options and the Python API: "l2", "cosine" or "dot". */
  public String id() {
    return id;
  }

  /** Parses "l2", "cosine" or "dot" (case-insensitive); anything else names the allowed values. */
  public static Metric parse(String name) {
    if (name != null) {
      String wanted = name.trim().toLowerCase(Locale.ROOT);
      for (Metric metric : values()) {
        if (metric.id.equals(wanted)) {
          return metric;
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown metric '"
            + name
            + "': expected one of "
            + Arrays.stream(values()).map(Metric::id).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return id;
  }
}
