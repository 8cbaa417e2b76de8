package io.zerocopy.spark.index;

import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.ShardFiles;
import java.io.IOException;
import java.nio.file.Path;

/** Opens the HNSW index of a shard, checked against the manifest first. */
public final class ShardIndexes {

  private ShardIndexes() {}

  /**
   * Maps the shard's {@code .vec} and {@code .hnsw} files, and its codes if the manifest lists them
   * (local ones in place, remote ones through the executor's cache) after checking the {@code
   * .hnsw} and codes files' size and CRC32C and the {@code .vec} file's size, count and dimension
   * against the manifest; an error names the file that differs.
   *
   * @param dimension the dataset's dimension, from the manifest
   */
  public static HnswIndex open(DatasetDirectory directory, ShardEntry shard, int dimension)
      throws IOException {
    if (shard.index() == null) {
      throw new IllegalStateException(
          "shard "
              + shard.name()
              + " of "
              + directory
              + " has no index: write it with option index=hnsw or run VecDatasets.buildIndex");
    }
    return open(
        directory,
        shard,
        dimension,
        directory.localFile(shard.vec(), false),
        directory.localFile(shard.index(), true),
        shard.codes() == null ? null : directory.localFile(shard.codes(), true));
  }

  /**
   * {@link #open(DatasetDirectory, ShardEntry, int)} of local copies the caller already has ({@link
   * DatasetDirectory#pinnedFile}), the {@code .hnsw} one and the codes (null: none) verified.
   */
  public static HnswIndex open(
      DatasetDirectory directory, ShardEntry shard, int dimension, Path vec, Path index, Path codes)
      throws IOException {
    KernelCheck.warnOnceIfScalar();
    HnswIndex opened =
        codes == null ? HnswIndex.open(vec, index) : HnswIndex.open(vec, index, codes);
    try {
      ShardFiles.check(directory.location(shard.vec().file()), opened.store(), shard, dimension);
    } catch (RuntimeException e) {
      opened.close();
      throw e;
    }
    return opened;
  }
}
