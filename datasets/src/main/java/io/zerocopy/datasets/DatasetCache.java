package io.zerocopy.datasets;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where derived data (converted {@code .vec} files, ground truth) is cached: {@code ZCS_CACHE_DIR}
 * as a system property or environment variable, else {@code ~/.cache/zero-copy-search}. Never
 * inside the repository.
 */
public final class DatasetCache {

  /** The setting that overrides the cache root. */
  public static final String CACHE_DIR_VARIABLE = "ZCS_CACHE_DIR";

  private DatasetCache() {}

  /** The cache root; each data set uses a sub-directory of it. */
  public static Path root() {
    String override = setting(CACHE_DIR_VARIABLE);
    if (override != null) {
      return Paths.get(override);
    }
    return Paths.get(System.getProperty("user.home"), ".cache", "zero-copy-search");
  }

  /** A system property, else the environment variable of the same name; null when neither. */
  static String setting(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      value = System.getenv(name);
    }
    return value == null || value.isBlank() ? null : value.trim();
  }
}
