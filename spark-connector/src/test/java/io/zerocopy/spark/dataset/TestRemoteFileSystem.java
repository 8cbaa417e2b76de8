package io.zerocopy.spark.dataset;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A Hadoop file system that is not {@code file:}: the local disk under the scheme {@code testfs},
 * so tests take the remote path (staged writes, uploads, the executor's shard cache) without a
 * server. Registered through {@code META-INF/services/org.apache.hadoop.fs.FileSystem}.
 *
 * <p>Unlike {@code file:}, whose rename replaces an existing file as POSIX does, its rename of a
 * file refuses an existing target (returns false), atomically, as HDFS does and as object stores
 * claim to. {@link #failDeletes} makes every delete throw, for cleanups that fail after a commit.
 */
public class TestRemoteFileSystem extends RawLocalFileSystem {

  public static final String SCHEME = "testfs";

  /** When set, {@link #delete} throws: a store that throttles or refuses the cleanup. */
  public static volatile boolean failDeletes;

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    java.nio.file.Path from = pathToFile(src).toPath();
    java.nio.file.Path to = pathToFile(dst).toPath();
    if (!Files.isRegularFile(from)) {
      return !Files.exists(to) && super.rename(src, dst);
    }
    try {
      Files.createLink(to, from); // fails if the target exists, with no window
    } catch (FileAlreadyExistsException e) {
      return false;
    }
    Files.delete(from);
    return true;
  }

  @Override
  public boolean delete(Path path, boolean recursive) throws IOException {
    if (failDeletes) {
      throw new IOException(path + ": delete refused (injected failure)");
    }
    return super.delete(path, recursive);
  }

  /** The remote URI of a local path. */
  public static String uri(java.nio.file.Path local) {
    return SCHEME + "://" + local.toAbsolutePath();
  }
}
