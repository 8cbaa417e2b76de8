package io.zerocopy.spark.source.write;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.FileEntry;
import io.zerocopy.spark.dataset.IdType;
import io.zerocopy.spark.index.IndexSpec;
import java.io.Serializable;
import org.apache.spark.sql.types.StructType;

/**
 * Everything a task needs to write its shard, decided on the driver: where, under which write id,
 * which columns, the dimension if it is already known (0 if the first row decides), the dataset's
 * metric, how to index the shard ({@code index} null: no index) and, for a clustered write, the
 * dataset's centroids file (the task's partition is its cluster) and, with boundary replicas, their
 * factor and the input's replica-flag column ({@code replicaOrdinal}, -1 if none).
 */
record WritePlan(
    DatasetDirectory directory,
    String writeId,
    VectorColumn vectorColumn,
    String idColumn,
    int idOrdinal,
    IdType idType,
    int[] carriedOrdinals,
    StructType carriedSchema,
    StructType idsSchema,
    int batchRows,
    int knownDimension,
    Metric metric,
    IndexSpec index,
    FileEntry centroids,
    double boundaryReplicas,
    int replicaOrdinal)
    implements Serializable {

  /** A plan of an unclustered write. */
  WritePlan(
      DatasetDirectory directory,
      String writeId,
      VectorColumn vectorColumn,
      String idColumn,
      int idOrdinal,
      IdType idType,
      int[] carriedOrdinals,
      StructType carriedSchema,
      StructType idsSchema,
      int batchRows,
      int knownDimension,
      Metric metric,
      IndexSpec index) {
    this(
        directory,
        writeId,
        vectorColumn,
        idColumn,
        idOrdinal,
        idType,
        carriedOrdinals,
        carriedSchema,
        idsSchema,
        batchRows,
        knownDimension,
        metric,
        index,
        null,
        0,
        -1);
  }

  /** A plan without an index (metric l2). */
  WritePlan(
      DatasetDirectory directory,
      String writeId,
      VectorColumn vectorColumn,
      String idColumn,
      int idOrdinal,
      IdType idType,
      int[] carriedOrdinals,
      StructType carriedSchema,
      StructType idsSchema,
      int batchRows,
      int knownDimension) {
    this(
        directory,
        writeId,
        vectorColumn,
        idColumn,
        idOrdinal,
        idType,
        carriedOrdinals,
        carriedSchema,
        idsSchema,
        batchRows,
        knownDimension,
        Metric.L2,
        null,
        null,
        0,
        -1);
  }

  /** Base name of a task attempt's files: the write id and the attempt make it unique. */
  String baseName(int partitionId, long taskId) {
    return String.format("part-%05d-%s-%d", partitionId, writeId, taskId);
  }
}
