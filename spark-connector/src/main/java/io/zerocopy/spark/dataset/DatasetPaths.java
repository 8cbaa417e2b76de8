package io.zerocopy.spark.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Keeps every file a dataset names inside its directory: a manifest is untrusted input, and a name
 * such as {@code ..}, an absolute path or a symbolic link to elsewhere would make a reader read, or
 * a writer write or delete, outside the dataset. Errors name the file and the directory.
 */
public final class DatasetPaths {

  private DatasetPaths() {}

  /**
   * Returns {@code name} if it is a plain file name: not empty, not {@code .} or {@code ..}, with
   * no separator, drive or URI colon and no control character; else throws naming it.
   */
  public static String checkName(String name, String where) {
    String problem = problem(name);
    if (problem != null) {
      throw new IllegalArgumentException(
          where
              + ": file name "
              + (name == null ? "null" : "'" + name + "'")
              + " "
              + problem
              + ": a dataset may only name files inside its own directory");
    }
    return name;
  }

  private static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "is empty";
    }
    if (name.equals(".") || name.equals("..")) {
      return "is a directory reference";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == '\\') {
        return "contains a path separator";
      }
      if (c == ':') {
        return "contains ':' (a drive or URI scheme)";
      }
      if (Character.isISOControl(c)) {
        return "contains a control character";
      }
    }
    return null;
  }

  /** Checks every shard name and file name of {@code manifest}; {@code source} names it. */
  public static VecManifest check(VecManifest manifest, String source) {
    for (ShardEntry shard : manifest.shards()) {
      // the shard name prefixes the files an index build writes
      checkName(shard.name(), source + ": shard name");
      for (String file : shard.files()) {
        checkName(file, source + ": shard " + shard.name());
      }
    }
    if (manifest.centroids() != null) {
      checkName(manifest.centroids().file(), source + ": centroids");
    }
    return manifest;
  }

  /**
   * {@code directory.resolve(name)} after {@link #checkName}; if that file exists, its real path
   * (symbolic links followed) must lie inside the real directory.
   */
  public static Path resolveInside(Path directory, String name) {
    Path file = directory.resolve(checkName(name, directory.toString()));
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return file;
    }
    Path real;
    Path realDirectory;
    try {
      realDirectory = directory.toRealPath();
      real = file.toRealPath();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          file + ": cannot resolve (a dangling symbolic link?): " + e.getMessage(), e);
    }
    if (!real.startsWith(realDirectory) || real.equals(realDirectory)) {
      throw new IllegalArgumentException(
          file
              + ": is a link to "
              + real
              + ", outside the dataset directory "
              + realDirectory
              + ": a dataset may only name files inside its own directory");
    }
    return file;
  }
}
