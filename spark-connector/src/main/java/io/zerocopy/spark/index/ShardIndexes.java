package io.zerocopy.spark.index;

import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.ShardEntry;
import java.io.IOException;
import java.nio.file.Path;

/** Opens the HNSW index of a shard, checked against the manifest first. */
public final class ShardIndexes {

  private ShardIndexes() {}

  /**
   * Maps the shard's {@code .vec} and {@code .hnsw} files (local ones in place, remote ones through
   * the executor's cache) after checking the {@code .hnsw} file's size and CRC32C and the {@code
   * .vec} file's size against the manifest; an error names the file that differs.
   */
  public static HnswIndex open(DatasetDirectory directory, ShardEntry shard) throws IOException {
    if (shard.index() == null) {
      throw new IllegalStateException(
          "shard "
              + shard.name()
              + " of "
              + directory
              + " has no index: write it with option index=hnsw or run VecDatasets.buildIndex");
    }
    Path vec = directory.localFile(shard.vec(), false);
    Path index = directory.localFile(shard.index(), true);
    KernelCheck.warnOnceIfScalar();
    return HnswIndex.open(vec, index);
  }
}
