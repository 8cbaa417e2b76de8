package io.zerocopy.spark.source.write;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.FileEntry;
import io.zerocopy.spark.dataset.IdType;
import io.zerocopy.spark.dataset.ManifestVersion;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.SupportsTruncate;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Checks the options and the input schema against the existing dataset on the driver, before any
 * task runs; {@code truncate()} (save mode overwrite) replaces the dataset.
 */
public final class VecWriteBuilder implements WriteBuilder, SupportsTruncate {

  private final LogicalWriteInfo info;
  private boolean overwrite;

  public VecWriteBuilder(LogicalWriteInfo info) {
    this.info = info;
  }

  @Override
  public WriteBuilder truncate() {
    overwrite = true;
    return this;
  }

  @Override
  public Write build() {
    VecWriteOptions options = VecWriteOptions.from(info.options());
    DatasetDirectory directory = DatasetDirectory.of(options.path());
    StructType input = info.schema();
    VectorColumn vector = VectorColumn.of(input, options.vectorColumn());
    int idOrdinal =
        VectorColumn.ordinal(input, options.idColumn(), "id column", "option 'idColumn'");
    StructField idField = input.fields()[idOrdinal];
    IdType idType = IdType.of(idField.name(), idField.dataType());
    if (idOrdinal == vector.ordinal()) {
      throw new IllegalArgumentException(
          "options 'idColumn' and 'vectorColumn' name the same column '" + idField.name() + "'");
    }
    double boundaryReplicas =
        Double.parseDouble(info.options().getOrDefault(VecWriteOptions.REPLICAS, "0"));
    // ClusteredWrite appends the replica flag as the last column of the rows it routes
    int replicaOrdinal = boundaryReplicas > 0 ? input.fields().length - 1 : -1;
    if (replicaOrdinal >= 0
        && !input.fields()[replicaOrdinal].name().equals(VecWriteOptions.REPLICA_COLUMN)) {
      throw new IllegalStateException(
          "a write with boundary replicas needs the column " + VecWriteOptions.REPLICA_COLUMN);
    }
    int[] carried = carriedOrdinals(input, options, idOrdinal, vector.ordinal(), replicaOrdinal);
    List<StructField> carriedFields = new ArrayList<>();
    for (int ordinal : carried) {
      carriedFields.add(input.fields()[ordinal]);
    }
    StructType carriedSchema = DataTypes.createStructType(carriedFields);

    Optional<ManifestVersion> planned = directory.readVersion();
    Optional<VecManifest> existing = planned.map(ManifestVersion::manifest);
    if (existing.isEmpty() && !directory.isEmptyOrMissing()) {
      throw new IllegalArgumentException(
          directory
              + " is not a vec dataset (it has files but no manifest): refusing to write into it");
    }
    Mode mode;
    if (overwrite) {
      mode = Mode.OVERWRITE;
    } else if (options.createNew()) {
      mode = Mode.CREATE;
      existing.ifPresent(
          manifest -> {
            throw alreadyExists(directory);
          });
    } else {
      mode = Mode.APPEND;
    }
    Metric metric = options.metric() == null ? Metric.L2 : options.metric();
    int knownDimension = 0;
    Optional<VecManifest> base = mode == Mode.APPEND ? existing : Optional.empty();
    if (base.isPresent()) {
      VecManifest manifest = base.get();
      checkAppendable(manifest, directory, idType, carriedSchema, options.metric());
      metric = manifest.metric();
      knownDimension = manifest.dimension();
    }
    String writeId = UUID.randomUUID().toString();
    FileEntry centroids = centroids(directory, info.options().get(VecWriteOptions.CENTROIDS));
    WritePlan plan =
        new WritePlan(
            directory,
            writeId,
            vector,
            idField.name(),
            idOrdinal,
            idType,
            carried,
            carriedSchema,
            VecManifest.idsSchema(idType, carriedSchema),
            options.batchRows(),
            knownDimension,
            metric,
            options.indexSpec(),
            centroids,
            boundaryReplicas,
            replicaOrdinal);
    VecManifest template =
        new VecManifest(
            VecManifest.FORMAT_VERSION,
            writeId,
            knownDimension,
            metric,
            vector.name(),
            idField.name(),
            idType,
            carriedSchema,
            List.of(),
            List.of(),
            centroids,
            boundaryReplicas);
    VecBatchWrite batchWrite =
        new VecBatchWrite(
            plan,
            mode,
            template,
            options.metric(),
            planned.map(ManifestVersion::version).orElse(-1L));
    return new Write() {
      @Override
      public String description() {
        return "vec dataset " + directory + " (" + mode.name().toLowerCase() + ")";
      }

      @Override
      public BatchWrite toBatch() {
        return batchWrite;
      }

      @Override
      public CustomMetric[] supportedCustomMetrics() {
        return plan.index() == null ? VecWriteMetrics.supported() : VecWriteMetrics.withIndex();
      }
    };
  }

  /** The entry of the centroids file a clustered write routed its rows by; null if none. */
  private static FileEntry centroids(DatasetDirectory directory, String file) {
    if (file == null) {
      return null;
    }
    try {
      return directory.describe(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /**
   * Whether shards routed by {@code centroids} (null: unclustered) can join {@code base}: the same
   * centroids file, or an unclustered dataset without shards.
   */
  static void checkClustering(VecManifest base, DatasetDirectory directory, FileEntry centroids) {
    if (java.util.Objects.equals(base.centroids(), centroids)) {
      return;
    }
    if (base.shards().isEmpty() && !base.clustered()) {
      return;
    }
    throw new IllegalArgumentException(
        "cannot append to "
            + directory
            + ": "
            + (base.centroids() == null
                ? "it is not clustered, the new rows are (centroids " + centroids.file() + ")"
                : centroids == null
                    ? "it is clustered ("
                        + base.centroids().file()
                        + "), the new rows were not routed by its centroids"
                    : "it was re-clustered meanwhile (centroids "
                        + base.centroids().file()
                        + ", the new rows were routed by "
                        + centroids.file()
                        + ")")
            + "; nothing was committed");
  }

  static IllegalArgumentException alreadyExists(DatasetDirectory directory) {
    return new IllegalArgumentException(
        "a vec dataset already exists at "
            + directory
            + ": use mode(\"overwrite\") to replace it or mode(\"append\") to add to it");
  }

  private static int[] carriedOrdinals(
      StructType input,
      VecWriteOptions options,
      int idOrdinal,
      int vectorOrdinal,
      int replicaOrdinal) {
    List<Integer> ordinals = new ArrayList<>();
    if (options.carriedColumns() == null) {
      for (int i = 0; i < input.fields().length; i++) {
        if (i != idOrdinal && i != vectorOrdinal && i != replicaOrdinal) {
          ordinals.add(i);
        }
      }
    } else {
      for (String name : options.carriedColumns()) {
        int ordinal =
            VectorColumn.ordinal(input, name, "carried column", "option 'carriedColumns'");
        if (ordinal == idOrdinal || ordinal == vectorOrdinal || ordinals.contains(ordinal)) {
          throw new IllegalArgumentException(
              "option 'carriedColumns': column '"
                  + name
                  + "' is listed twice or is the id or vector column");
        }
        ordinals.add(ordinal);
      }
    }
    for (int ordinal : ordinals) {
      String name = input.fields()[ordinal].name();
      if (name.equalsIgnoreCase(VecManifest.ID) || name.equalsIgnoreCase(VecManifest.VECTOR)) {
        throw new IllegalArgumentException(
            "carried column '"
                + name
                + "' would clash with the '"
                + name.toLowerCase()
                + "' column that reads return: rename it, or leave it out with option"
                + " 'carriedColumns'");
      }
    }
    return ordinals.stream().mapToInt(Integer::intValue).toArray();
  }

  static void checkAppendable(
      VecManifest manifest,
      DatasetDirectory directory,
      IdType idType,
      StructType carried,
      Metric metric) {
    if (manifest.idType() != idType) {
      throw new IllegalArgumentException(
          "cannot append to "
              + directory
              + ": its id column has type "
              + manifest.idType().id()
              + ", the new rows' id column has type "
              + idType.id());
    }
    if (!sameColumns(manifest.carriedSchema(), carried)) {
      throw new IllegalArgumentException(
          "cannot append to "
              + directory
              + ": its carried columns are "
              + manifest.carriedSchema().simpleString()
              + ", the new rows carry "
              + carried.simpleString());
    }
    if (metric != null && metric != manifest.metric()) {
      throw new IllegalArgumentException(
          "cannot append to "
              + directory
              + " with option 'metric'="
              + metric.id()
              + ": the dataset's metric is "
              + manifest.metric());
    }
  }

  private static boolean sameColumns(StructType a, StructType b) {
    if (a.fields().length != b.fields().length) {
      return false;
    }
    for (int i = 0; i < a.fields().length; i++) {
      if (!a.fields()[i].name().equals(b.fields()[i].name())
          || !a.fields()[i].dataType().sameType(b.fields()[i].dataType())) {
        return false;
      }
    }
    return true;
  }

  /** How the commit treats an existing dataset. */
  enum Mode {
    CREATE,
    APPEND,
    OVERWRITE
  }
}
