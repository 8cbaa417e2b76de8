package io.zerocopy.spark.dataset;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A Hadoop file system that is not {@code file:}: the local disk under the scheme {@code testfs},
 * so tests take the remote path (staged writes, uploads, the executor's shard cache) without a
 * server. Registered through {@code META-INF/services/org.apache.hadoop.fs.FileSystem}.
 */
public class TestRemoteFileSystem extends RawLocalFileSystem {

  public static final String SCHEME = "testfs";

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  /** The remote URI of a local path. */
  public static String uri(java.nio.file.Path local) {
    return SCHEME + "://" + local.toAbsolutePath();
  }
}
