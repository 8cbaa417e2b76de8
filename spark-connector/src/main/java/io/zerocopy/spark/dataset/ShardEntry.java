package io.zerocopy.spark.dataset;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One shard: row i of {@code ids} belongs to vector i of {@code vec}. {@code index} is the shard's
 * {@code .hnsw} file once it is indexed, else null; {@code codes} the int8 codes its graph search
 * walks on ({@code .i8}, from the same build as the index), else null. {@code batchRows} is the row
 * count of every record batch of the Arrow file but the last, so readers can split a shard at batch
 * boundaries. {@code cluster} is the centre (of the manifest's centroids) whose rows the shard
 * holds in a clustered dataset, else {@link #UNCLUSTERED}. {@code replicas} counts the last rows of
 * the shard that are boundary replicas: copies of rows whose own shard is another cluster's, there
 * only so that a routed search finds them (a read, a count, the id check skip them).
 */
public record ShardEntry(
    String name,
    long count,
    int batchRows,
    FileEntry vec,
    FileEntry ids,
    FileEntry index,
    FileEntry codes,
    int cluster,
    long replicas)
    implements Serializable {

  public static final int UNCLUSTERED = -1;

  /** A shard of an unclustered dataset. */
  public ShardEntry(
      String name, long count, int batchRows, FileEntry vec, FileEntry ids, FileEntry index) {
    this(name, count, batchRows, vec, ids, index, null, UNCLUSTERED, 0);
  }

  /** A shard whose index (if any) has no codes. */
  public ShardEntry(
      String name,
      long count,
      int batchRows,
      FileEntry vec,
      FileEntry ids,
      FileEntry index,
      int cluster,
      long replicas) {
    this(name, count, batchRows, vec, ids, index, null, cluster, replicas);
  }

  /** The same shard with another index file (null: none) and no codes. */
  public ShardEntry withIndex(FileEntry newIndex) {
    return withIndex(newIndex, null);
  }

  /** The same shard with another index file and its codes (null: none). */
  public ShardEntry withIndex(FileEntry newIndex, FileEntry newCodes) {
    return new ShardEntry(name, count, batchRows, vec, ids, newIndex, newCodes, cluster, replicas);
  }

  /** The dataset's own rows in this shard: the first {@code count - replicas}. */
  public long rows() {
    return count - replicas;
  }

  public ShardEntry {
    if (codes != null && index == null) {
      throw new IllegalArgumentException(
          "shard " + name + ": lists codes " + codes.file() + " but no index to search them with");
    }
    if (cluster < UNCLUSTERED) {
      throw new IllegalArgumentException(
          "shard " + name + ": cluster must be >= 0 (or absent), got " + cluster);
    }
    if (replicas < 0 || replicas > count || (replicas > 0 && cluster == UNCLUSTERED)) {
      throw new IllegalArgumentException(
          "shard "
              + name
              + ": replicas must be in [0, count] and only in a clustered shard, got "
              + replicas
              + " of "
              + count);
    }
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
    if (codes != null) {
      files.add(codes.file());
    }
    return files;
  }
}
