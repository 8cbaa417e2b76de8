package io.zerocopy.spark.dataset;

import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The one place a shard's {@code .vec} file is opened for reading and checked against the manifest,
 * for scans and searches alike: size (and CRC32C when asked) through {@link
 * DatasetDirectory#localFile}, then the header's count and dimension. An error names the file.
 */
public final class ShardFiles {

  private ShardFiles() {}

  /**
   * Maps the shard's vectors (local files in place, remote ones through the executor's cache).
   *
   * @param dimension the dataset's dimension, from the manifest
   */
  public static VectorStore openVectors(
      DatasetDirectory directory, ShardEntry shard, int dimension, boolean verifyChecksum) {
    try {
      return openVectors(
          directory, shard, dimension, directory.localFile(shard.vec(), verifyChecksum));
    } catch (IOException e) {
      throw new UncheckedIOException(
          directory.location(shard.vec().file()) + ": cannot open shard: " + e.getMessage(), e);
    }
  }

  /** {@link #openVectors} of a local copy the caller already has (checked against the manifest). */
  public static VectorStore openVectors(
      DatasetDirectory directory, ShardEntry shard, int dimension, Path local) {
    String location = directory.location(shard.vec().file());
    VectorStore store;
    try {
      store = VectorStore.open(local);
    } catch (IOException e) {
      throw new UncheckedIOException(location + ": cannot open shard: " + e.getMessage(), e);
    }
    try {
      check(location, store, shard, dimension);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  /**
   * Throws naming the file if {@code store} does not hold the manifest's count and dimension: a
   * {@code .vec} file replaced by another one of the same size.
   */
  public static void check(String location, VectorStore store, ShardEntry shard, int dimension) {
    if (store.size() != shard.count() || store.dimension() != dimension) {
      throw new IllegalStateException(
          location
              + ": holds "
              + store.size()
              + " vectors of dimension "
              + store.dimension()
              + ", but "
              + "the manifest"
              + " lists "
              + shard.count()
              + " of dimension "
              + dimension);
    }
  }
}
