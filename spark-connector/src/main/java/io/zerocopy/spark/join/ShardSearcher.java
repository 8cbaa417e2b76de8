package io.zerocopy.spark.join;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.IdsFile;
import io.zerocopy.spark.dataset.PinnedFile;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.ShardFiles;
import io.zerocopy.spark.dataset.VecManifest;
import io.zerocopy.spark.index.ShardIndexes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * One shard opened for searching: its mapped {@code .vec} file, its mapped {@code .hnsw} graph when
 * the manifest lists one (and the codes the graph search walks on, if listed), and (on first use)
 * its id and carried columns. The only place the join code touches shard files: local ones are
 * mapped in place, remote ones through the executor's {@code ShardCache}. Instances are shared by
 * all tasks of an executor through {@link DatasetSearcher#acquire}; every method is safe to call
 * from many threads.
 */
final class ShardSearcher {

  private final DatasetDirectory directory;
  private final ShardEntry shard;
  private final VecManifest manifest;
  private final VectorStore store;
  private final HnswIndex index;
  private final List<PinnedFile> files;
  private volatile Row[] rows;

  private ShardSearcher(
      DatasetDirectory directory,
      VecManifest manifest,
      ShardEntry shard,
      VectorStore store,
      HnswIndex index,
      List<PinnedFile> files) {
    this.directory = directory;
    this.manifest = manifest;
    this.shard = shard;
    this.store = store;
    this.index = index;
    this.files = files;
  }

  /**
   * Maps the shard's vectors and, if it is indexed, its graph, checked against the manifest. The
   * files stay on disk until {@link #close} (copies in the executor's cache are pinned).
   */
  static ShardSearcher open(DatasetDirectory directory, VecManifest manifest, ShardEntry shard) {
    List<PinnedFile> files = new ArrayList<>();
    try {
      PinnedFile vec = directory.pinnedFile(shard.vec(), false);
      files.add(vec);
      if (shard.index() == null) {
        VectorStore store =
            ShardFiles.openVectors(directory, shard, manifest.dimension(), vec.path());
        return new ShardSearcher(directory, manifest, shard, store, null, files);
      }
      PinnedFile graph = directory.pinnedFile(shard.index(), true);
      files.add(graph);
      PinnedFile codes = null;
      if (shard.codes() != null) {
        codes = directory.pinnedFile(shard.codes(), true);
        files.add(codes);
      }
      HnswIndex index =
          ShardIndexes.open(
              directory,
              shard,
              manifest.dimension(),
              vec.path(),
              graph.path(),
              codes == null ? null : codes.path());
      return new ShardSearcher(directory, manifest, shard, index.store(), index, files);
    } catch (IOException e) {
      files.forEach(PinnedFile::close);
      throw new UncheckedIOException(
          directory.location(shard.vec().file()) + ": cannot open shard: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      files.forEach(PinnedFile::close);
      throw e;
    }
  }

  /**
   * Unmaps the shard's files and lets the cache evict them. Only by the last user: a search of this
   * shard after or during this call may crash the JVM ({@code DatasetSearcher} guarantees it).
   */
  void close() {
    if (index != null) {
      index.unmap();
    } else {
      store.unmap();
    }
    rows = null;
    files.forEach(PinnedFile::close);
  }

  /** Bytes this shard holds: its mapped files, and its id rows once read (their Arrow size). */
  long bytes() {
    return shard.vec().bytes()
        + (shard.index() != null ? shard.index().bytes() : 0)
        + (shard.codes() != null ? shard.codes().bytes() : 0)
        + (rows != null ? shard.ids().bytes() : 0);
  }

  ShardEntry shard() {
    return shard;
  }

  boolean indexed() {
    return index != null;
  }

  /** Approximate search through the shard's graph; ascending distance. */
  List<List<Neighbor>> searchApprox(float[][] queries, int k, int ef, int threads) {
    if (index == null) {
      throw new IllegalStateException(
          "shard " + shard.name() + " of " + directory + " has no index");
    }
    return index.searchBatch(queries, k, Math.max(ef, k), null, threads);
  }

  /** Exact search over every vector of the shard; ascending distance, ties by smaller row. */
  List<List<Neighbor>> searchExact(float[][] queries, int k, Metric metric, int threads) {
    return BruteForce.searchBatch(store, queries, k, metric, threads);
  }

  /** The stored vector of a row. */
  float[] vector(long row) {
    return store.get(row);
  }

  /**
   * The id and carried columns of a row, as an external {@link Row} of {@link
   * VecManifest#idsSchema()}. The Arrow file is read once, on first use, and kept on the heap.
   */
  Row idRow(long row) {
    Row[] loaded = rows;
    if (loaded == null) {
      synchronized (this) {
        loaded = rows;
        if (loaded == null) {
          loaded = readIds();
          rows = loaded;
        }
      }
    }
    return loaded[(int) row];
  }

  private Row[] readIds() {
    try (PinnedFile file = directory.pinnedFile(shard.ids(), false)) {
      return readIds(file.path());
    } catch (IOException e) {
      throw new UncheckedIOException(
          directory.location(shard.ids().file()) + ": cannot read ids: " + e.getMessage(), e);
    }
  }

  private Row[] readIds(Path ids) {
    StructType schema = manifest.idsSchema();
    scala.Function1<Object, Object> toRow = CatalystTypeConverters.createToScalaConverter(schema);
    Row[] result = new Row[Math.toIntExact(shard.count())];
    int next = 0;
    try (IdsFile in = IdsFile.open(ids, shard, schema)) {
      for (int b = 0; b < in.batches(); b++) {
        VectorSchemaRoot root = in.load(b);
        ColumnVector[] columns = new ColumnVector[schema.fields().length];
        for (int c = 0; c < columns.length; c++) {
          columns[c] = IdsFile.column(root.getVector(schema.fields()[c].name()));
        }
        ColumnarBatch batch = new ColumnarBatch(columns, root.getRowCount());
        for (int r = 0; r < root.getRowCount(); r++) {
          result[next++] = (Row) toRow.apply(batch.getRow(r).copy());
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(ids + ": cannot read ids: " + e.getMessage(), e);
    }
    if (next != result.length) {
      throw new IllegalStateException(
          ids + ": has " + next + " rows, " + "the manifest" + " lists " + result.length);
    }
    return result;
  }
}
