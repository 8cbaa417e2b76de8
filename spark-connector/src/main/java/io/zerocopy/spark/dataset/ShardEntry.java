package io.zerocopy.spark.dataset;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One shard: row i of {@code ids} belongs to vector i of {@code vec}. {@code index} is the shard's
 * {@code .hnsw} file once it is indexed, else null. {@code batchRows} is the row count of every
 * record batch of the Arrow file but the last, so readers can split a shard at batch boundaries.
 */
public record ShardEntry(
    String name, long count, int batchRows, FileEntry vec, FileEntry ids, FileEntry index)
    implements Serializable {

  public ShardEntry {
    if (count < 1) {
      throw new IllegalArgumentException("shard " + name + ": count must be >= 1, got " + count);
    }
    if (batchRows < 1) {
      throw new IllegalArgumentException(
          "shard " + name + ": batchRows must be >= 1, got " + batchRows);
    }
  }

  /** Every file the shard owns, for clean-up. */
  public List<String> files() {
    List<String> files = new ArrayList<>(List.of(vec.file(), ids.file()));
    if (index != null) {
      files.add(index.file());
    }
    return files;
  }
}
