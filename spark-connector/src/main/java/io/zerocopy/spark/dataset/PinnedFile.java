package io.zerocopy.spark.dataset;

import java.nio.file.Path;

/**
 * A local shard file that stays on disk while it is open: a copy in the executor's {@link
 * ShardCache} is not evicted until {@link #close}; a file of a local dataset needs nothing.
 */
public final class PinnedFile implements AutoCloseable {

  private final Path path;
  private Runnable unpin;

  PinnedFile(Path path, Runnable unpin) {
    this.path = path;
    this.unpin = unpin;
  }

  public Path path() {
    return path;
  }

  /** Lets the cache evict the file again; idempotent. */
  @Override
  public synchronized void close() {
    if (unpin != null) {
      unpin.run();
      unpin = null;
    }
  }
}
