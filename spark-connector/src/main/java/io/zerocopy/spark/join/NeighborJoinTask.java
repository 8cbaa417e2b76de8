package io.zerocopy.spark.join;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The executor side of every join: reads query rows in blocks, searches the dataset's shards for
 * each block at once (HNSW or exact), and emits one output row per (query, neighbour). Shards are
 * opened through {@link DatasetSearcher#acquire}, once per executor JVM.
 */
final class NeighborJoinTask implements Serializable {

  private static final long serialVersionUID = 1L;

  /** What to do with a query whose vector is null. */
  enum NullVectors {
    /** Fail the task with an error naming the row. */
    ERROR,
    /** Leave the query out of the result. */
    SKIP,
    /** Emit the query once with null neighbour columns (LEFT OUTER). */
    OUTER;

    static NullVectors parse(String value) {
      if (value != null) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
          case "error":
            return ERROR;
          case "skip":
            return SKIP;
          default:
            break;
        }
      }
      throw new IllegalArgumentException(
          "option 'onNullVector': unknown value '" + value + "': expected error or skip");
    }
  }

  /** The columns emitted for a neighbour, after the query row's columns. */
  enum Emit {
    ID,
    VECTOR,
    DISTANCE,
    RANK,
    SHARD,
    ROW,
    CARRIED
  }

  /** One emitted neighbour column: its kind and, for carried columns, the position in ids rows. */
  record OutputColumn(Emit kind, int idsPosition) implements Serializable {}

  /**
   * How a join searches, fixed once per join from its options.
   *
   * @param k neighbours per query
   * @param ef HNSW search breadth per shard (ignored by exact search)
   * @param exactMetric the metric of exact search, or null for HNSW
   * @param nullVectors what a query without a vector gets
   * @param blockRows queries searched together
   * @param nearestBy NEAREST BY semantics: the query column (appended by the rule) is not emitted,
   *     and a query vector that Spark's vector functions rank as NULL (a null element; for cosine,
   *     zero magnitude) has no neighbours, as in Spark's plan
   * @param routing each query visits only the shards of its nearest clusters, among those given;
   *     null: every shard given
   */
  record Settings(
      int k,
      int ef,
      Metric exactMetric,
      NullVectors nullVectors,
      int blockRows,
      boolean nearestBy,
      ShardRouting routing)
      implements Serializable {

    /** Settings of a join that visits the shards it is given. */
    Settings(
        int k,
        int ef,
        Metric exactMetric,
        NullVectors nullVectors,
        int blockRows,
        boolean nearestBy) {
      this(k, ef, exactMetric, nullVectors, blockRows, nearestBy, null);
    }

    /** These settings without routing: the queries come routed already. */
    Settings unrouted() {
      return new Settings(k, ef, exactMetric, nullVectors, blockRows, nearestBy, null);
    }
  }

  private final DatasetDirectory directory;
  private final VecManifest manifest;
  private final int queryColumn;
  private final Settings settings;
  private final List<OutputColumn> columns;
  private final String description;
  private final JoinMetrics metrics;
  private final int[] emittedQueryColumns;

  NeighborJoinTask(
      DatasetDirectory directory,
      VecManifest manifest,
      int queryColumn,
      Settings settings,
      List<OutputColumn> columns,
      String description,
      JoinMetrics metrics) {
    this.directory = directory;
    this.manifest = manifest;
    this.queryColumn = queryColumn;
    this.settings = settings;
    this.columns = List.copyOf(columns);
    this.description = description;
    this.metrics = metrics;
    this.emittedQueryColumns = null;
  }

  private NeighborJoinTask(NeighborJoinTask task, int[] emittedQueryColumns) {
    this.directory = task.directory;
    this.manifest = task.manifest;
    this.queryColumn = task.queryColumn;
    this.settings = task.settings;
    this.columns = task.columns;
    this.description = task.description;
    this.metrics = task.metrics;
    this.emittedQueryColumns = emittedQueryColumns.clone();
  }

  /**
   * This task emitting only the given columns of each query row (positions), before the
   * neighbour's; by default every query column (but the NEAREST BY rule's vector).
   */
  NeighborJoinTask emittingQueryColumns(int[] positions) {
    return new NeighborJoinTask(this, positions);
  }

  @Override
  public String toString() {
    return description;
  }

  JoinMetrics metrics() {
    return metrics;
  }

  /** The output rows for the query rows {@code input}, searching only the shards given. */
  Iterator<Row> run(Iterator<Row> input, int[] shards) {
    return run(input, shards, shards.length > 0 && shards[0] == 0);
  }

  /**
   * {@link #run(Iterator, int[])}; {@code countQueries}: this task's queries count in the {@code
   * queries} metric (one task per query: the one searching shard 0, unless routed upstream).
   */
  Iterator<Row> run(Iterator<Row> input, int[] shards, boolean countQueries) {
    return new Iterator<>() {
      private Iterator<Row> current = java.util.Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && input.hasNext()) {
          current = block(input, shards, countQueries).iterator();
        }
        return current.hasNext();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }
    };
  }

  private List<Row> block(Iterator<Row> input, int[] shards, boolean countQueries) {
    List<Row> rows = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    while (rows.size() < settings.blockRows() && input.hasNext()) {
      Row row = input.next();
      rows.add(row);
      vectors.add(queryVector(row));
    }
    List<float[]> present = new ArrayList<>();
    for (float[] vector : vectors) {
      if (vector != null) {
        present.add(vector);
      }
    }
    // held while this block's rows are built: they read the shards' ids and vectors
    try (DatasetSearcher.Lease lease = DatasetSearcher.acquire(directory, manifest)) {
      return block(lease.searcher(), rows, vectors, present, shards, countQueries);
    }
  }

  private List<Row> block(
      DatasetSearcher searcher,
      List<Row> rows,
      List<float[]> vectors,
      List<float[]> present,
      int[] shards,
      boolean countQueries) {
    float[][] queries = present.toArray(new float[0][]);
    int[][] visits = new int[queries.length][];
    for (int q = 0; q < queries.length; q++) {
      // routed: the given shards (every one, replicated) that hold the query's nearest clusters
      visits[q] = settings.routing() == null ? shards : settings.routing().shards(queries[q]);
    }
    List<List<DatasetSearcher.Hit>> found =
        queries.length == 0
            ? List.of()
            : settings.routing() == null
                ? searcher.search(
                    queries, settings.k(), settings.ef(), settings.exactMetric(), shards)
                : searcher.search(
                    queries, settings.k(), settings.ef(), settings.exactMetric(), visits);
    if (countQueries) {
      metrics.queries().add(present.size());
    }
    long shardSearches = 0;
    long searched = 0;
    for (int[] visited : visits) {
      shardSearches += visited.length;
      for (int shard : visited) {
        searched += manifest.shards().get(shard).count();
      }
    }
    metrics.shardSearches().add(shardSearches);
    if (settings.exactMetric() != null) {
      metrics.distances().add(searched);
    }
    List<Row> output = new ArrayList<>(rows.size() * settings.k());
    int next = 0;
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      if (vectors.get(i) == null) {
        if (settings.nullVectors() == NullVectors.OUTER) {
          output.add(emit(searcher, row, null, 0));
        }
        continue;
      }
      List<DatasetSearcher.Hit> hits = found.get(next++);
      if (hits.isEmpty() && settings.nullVectors() == NullVectors.OUTER) {
        output.add(emit(searcher, row, null, 0));
      }
      for (int rank = 0; rank < hits.size(); rank++) {
        output.add(emit(searcher, row, hits.get(rank), rank + 1));
      }
    }
    return output;
  }

  private Row emit(DatasetSearcher searcher, Row query, DatasetSearcher.Hit hit, int rank) {
    int queryWidth;
    Object[] values;
    if (emittedQueryColumns != null) {
      queryWidth = emittedQueryColumns.length;
      values = new Object[queryWidth + columns.size()];
      for (int i = 0; i < queryWidth; i++) {
        values[i] = query.get(emittedQueryColumns[i]);
      }
    } else {
      queryWidth = query.length() - (settings.nearestBy() ? 1 : 0);
      values = new Object[queryWidth + columns.size()];
      for (int i = 0, j = 0; i < query.length(); i++) {
        if (settings.nearestBy() && i == queryColumn) {
          continue;
        }
        values[j++] = query.get(i);
      }
    }
    if (hit != null) {
      ShardSearcher shard = searcher.shard(hit.shard());
      for (int c = 0; c < columns.size(); c++) {
        OutputColumn column = columns.get(c);
        values[queryWidth + c] =
            switch (column.kind()) {
              case ID -> shard.idRow(hit.row()).get(0);
              case VECTOR -> boxed(shard.vector(hit.row()));
              case DISTANCE -> hit.distance();
              case RANK -> rank;
              case SHARD -> hit.shard();
              case ROW -> hit.row();
              case CARRIED -> shard.idRow(hit.row()).get(column.idsPosition());
            };
      }
    }
    return RowFactory.create(values);
  }

  /**
   * An {@code array<float>} value of an external row: a Scala sequence, as Spark's encoders read.
   */
  private static scala.collection.immutable.Seq<Object> boxed(float[] vector) {
    Object[] boxed = new Object[vector.length];
    for (int i = 0; i < vector.length; i++) {
      boxed[i] = vector[i];
    }
    return scala.collection.immutable.ArraySeq$.MODULE$.unsafeWrapArray(boxed);
  }

  /**
   * The shards a query row visits under {@code routing}, counted in the {@code queries} metric if
   * it has a vector. A row without a usable vector (null, another dimension, a non-finite value)
   * goes to shard 0 only, whose task skips it or names it as an unrouted join does.
   */
  int[] route(Row row, ShardRouting routing) {
    float[] vector;
    try {
      vector = queryVector(row);
    } catch (IllegalArgumentException e) {
      return new int[] {0};
    }
    if (vector == null) {
      return new int[] {0};
    }
    metrics.queries().add(1);
    return routing.shards(vector);
  }

  /**
   * What a routed query ships to its shards: only the columns this task emits and its vector, as
   * one {@code float[]} (an array column of a Row is boxed floats, ~3× the bytes); the whole row
   * when its vector is not usable, so that the task names it as an unrouted join does.
   */
  Row forShuffle(Row row) {
    if (emittedQueryColumns == null) {
      return row;
    }
    float[] vector;
    try {
      vector = queryVector(row);
    } catch (IllegalArgumentException e) {
      return row;
    }
    if (vector == null) {
      return row;
    }
    Object[] values = new Object[row.length()];
    for (int position : emittedQueryColumns) {
      values[position] = row.get(position);
    }
    values[queryColumn] = scala.collection.immutable.ArraySeq$.MODULE$.unsafeWrapArray(vector);
    return RowFactory.create(values);
  }

  /** The query vector of a row, null if the row has none and nulls are not an error. */
  private float[] queryVector(Row row) {
    if (row.isNullAt(queryColumn)) {
      if (settings.nullVectors() == NullVectors.ERROR) {
        throw new IllegalArgumentException(
            "query row "
                + describe(row)
                + " has a null vector: filter such rows out, or pass option"
                + " onNullVector=skip to leave them out of the result");
      }
      return null;
    }
    if (settings.nearestBy() && manifest.shards().isEmpty()) {
      return null; // an empty dataset: no candidate to rank, whatever the query's dimension
    }
    List<Object> values = row.getList(queryColumn);
    if (values.size() != manifest.dimension()) {
      throw new IllegalArgumentException(
          "query row "
              + describe(row)
              + " has a vector of dimension "
              + values.size()
              + ", but vec dataset "
              + directory
              + " has dimension "
              + manifest.dimension());
    }
    float[] vector = new float[values.size()];
    for (int i = 0; i < vector.length; i++) {
      Object value = values.get(i);
      if (value == null) {
        if (settings.nearestBy()) {
          return null;
        }
        throw new IllegalArgumentException(
            "query row " + describe(row) + " has a null element at position " + i);
      }
      vector[i] = ((Number) value).floatValue();
      if (!Float.isFinite(vector[i])) {
        // named here, by row: the engine would name the query's place in the block
        throw new IllegalArgumentException(
            "query row "
                + describe(row)
                + " has the value "
                + value
                + " at position "
                + i
                + ", which is not a finite float32 (NaN, infinity, or beyond ±3.4028235E38)");
      }
    }
    if (settings.nearestBy() && cosine() && zero(vector)) {
      return null;
    }
    return vector;
  }

  private boolean cosine() {
    return settings.exactMetric() != null
        ? settings.exactMetric() == Metric.COSINE
        : manifest.metric() == Metric.COSINE;
  }

  private static boolean zero(float[] vector) {
    for (float value : vector) {
      if (value != 0f) {
        return false;
      }
    }
    return true;
  }

  private String describe(Row row) {
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < row.length(); i++) {
      // the partitioned join's own query number is no column of the user's
      if (i == queryColumn
          || (row.schema() != null && row.schema().fields()[i].name().startsWith("__zcs_"))) {
        continue;
      }
      if (text.length() > 1) {
        text.append(", ");
      }
      text.append(row.schema() != null ? row.schema().fields()[i].name() + "=" : "")
          .append(row.get(i));
      if (text.length() > 200) {
        text.append(", ...");
        break;
      }
    }
    return text.append(']').toString();
  }
}
