package io.zerocopy.spark.options;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** Shared checks of the options maps that Spark hands to the data source. */
public final class OptionParsing {

  private OptionParsing() {}

  /** Fails naming every unknown key and listing the allowed ones. */
  public static void rejectUnknown(
      CaseInsensitiveStringMap options, Set<String> allowed, String what) {
    Set<String> allowedLower = new TreeSet<>();
    allowed.forEach(key -> allowedLower.add(key.toLowerCase(Locale.ROOT)));
    Set<String> unknown = new TreeSet<>();
    for (String key : options.asCaseSensitiveMap().keySet()) {
      if (!allowedLower.contains(key.toLowerCase(Locale.ROOT))) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown "
              + what
              + " option"
              + (unknown.size() > 1 ? "s " : " ")
              + String.join(", ", unknown)
              + ": allowed options are "
              + String.join(", ", userOptions(allowed)));
    }
  }

  /** The options a user may set, sorted: internal ones ({@code __zcs.*}) are not listed. */
  private static Set<String> userOptions(Set<String> allowed) {
    Set<String> listed = new TreeSet<>();
    for (String key : allowed) {
      if (!key.startsWith("__")) {
        listed.add(key);
      }
    }
    return listed;
  }

  /** An int option within [min, max], or the default if absent. */
  public static int intOption(
      CaseInsensitiveStringMap options, String key, int defaultValue, int min, int max) {
    String raw = options.get(key);
    if (raw == null) {
      return defaultValue;
    }
    int value;
    try {
      value = Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "option '"
              + key
              + "' must be an integer in ["
              + min
              + ", "
              + max
              + "], got '"
              + raw
              + "'");
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "option '" + key + "' must be in [" + min + ", " + max + "], got " + value);
    }
    return value;
  }

  /** A long option ≥ min, or the default if absent. */
  public static long longOption(
      CaseInsensitiveStringMap options, String key, long defaultValue, long min) {
    String raw = options.get(key);
    if (raw == null) {
      return defaultValue;
    }
    long value;
    try {
      value = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "option '" + key + "' must be an integer >= " + min + ", got '" + raw + "'");
    }
    if (value < min) {
      throw new IllegalArgumentException(
          "option '" + key + "' must be >= " + min + ", got " + value);
    }
    return value;
  }

  /** "true" or "false" (case-insensitive), or the default if absent. */
  public static boolean booleanOption(
      CaseInsensitiveStringMap options, String key, boolean defaultValue) {
    String raw = options.get(key);
    if (raw == null) {
      return defaultValue;
    }
    String value = raw.trim().toLowerCase(Locale.ROOT);
    if (value.equals("true") || value.equals("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new IllegalArgumentException(
        "option '" + key + "' must be true or false, got '" + raw + "'");
  }
}
