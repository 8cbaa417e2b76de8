package io.zerocopy.spark.dataset;

import io.zerocopy.engine.store.AtomicFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The directory of a vec dataset: {@code _manifest.json} plus the shard files it lists. A local
 * path (or {@code file:} URI) is used in place; any other URI goes through Hadoop's {@link
 * FileSystem} (hdfs, s3a, ...): its shard files are copied once per JVM into the bounded local
 * {@link ShardCache} and mapped there, and tasks write their files locally, then upload them. The
 * manifest is written to a temporary name and renamed, so a reader sees the old manifest or the new
 * one, never a partial one.
 */
public final class DatasetDirectory implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final String MANIFEST = "_manifest.json";

  /** Larger manifests are rejected before they are read: thousands of shards take a few MiB. */
  static final long MAX_MANIFEST_BYTES = 256L << 20;

  private final String path;

  /** Null for a local directory; the Hadoop configuration of the driver for a remote one. */
  private final SerializableConfiguration hadoopConf;

  private DatasetDirectory(String path, SerializableConfiguration hadoopConf) {
    this.path = path;
    this.hadoopConf = hadoopConf;
  }

  /** A dataset location from the {@code path} option: a local path or a {@code file:} URI. */
  public static DatasetDirectory of(String location) {
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException(
          "option 'path' is required: the directory of the vec dataset");
    }
    Path local;
    try {
      URI uri = new URI(location);
      String scheme = uri.getScheme();
      if (scheme == null || scheme.length() == 1) { // no scheme, or a Windows drive letter
        local = Paths.get(location);
      } else if (scheme.equalsIgnoreCase("file")) {
        local = Paths.get(new URI("file", null, uri.getPath(), null));
      } else {
        String normalized = uri.normalize().toString();
        while (normalized.endsWith("/") && normalized.length() > scheme.length() + 3) {
          normalized = normalized.substring(0, normalized.length() - 1);
        }
        return new DatasetDirectory(normalized, new SerializableConfiguration(hadoopConf()));
      }
    } catch (URISyntaxException e) {
      local = Paths.get(location);
    }
    return new DatasetDirectory(local.toAbsolutePath().normalize().toString(), null);
  }

  /** The active session's Hadoop configuration (with spark.hadoop.* settings), else defaults. */
  private static Configuration hadoopConf() {
    try {
      return new Configuration(SparkSession.active().sparkContext().hadoopConfiguration());
    } catch (Exception e) { // no active session (SparkException is checked in Java's eyes)
      return new Configuration();
    }
  }

  /** True when the dataset lives on a non-local Hadoop file system. */
  public boolean isRemote() {
    return hadoopConf != null;
  }

  /** The local directory; only for a local dataset. */
  public Path path() {
    requireLocal();
    return Paths.get(path);
  }

  /**
   * A file of the local directory; only for a local dataset. The name must be a plain file name,
   * and an existing file must not be a link to outside the directory ({@link DatasetPaths}).
   */
  public Path resolve(String file) {
    return DatasetPaths.resolveInside(path(), file);
  }

  private void requireLocal() {
    if (isRemote()) {
      throw new IllegalStateException(path + " is not a local directory");
    }
  }

  /** The Hadoop path of a file of a remote dataset. */
  public org.apache.hadoop.fs.Path remotePath(String file) {
    return new org.apache.hadoop.fs.Path(path, DatasetPaths.checkName(file, path));
  }

  /** The Hadoop file system of a remote dataset. */
  public FileSystem fileSystem() throws IOException {
    return new org.apache.hadoop.fs.Path(path).getFileSystem(hadoopConf.value());
  }

  /** A readable description of where a file of the dataset is, for messages. */
  public String location(String file) {
    return isRemote() ? remotePath(file).toString() : resolve(file).toString();
  }

  /**
   * A local, mappable copy of a shard file: the file itself for a local dataset, else this JVM's
   * cached copy (fetched once, size and CRC32C verified). The size is always checked against the
   * manifest, the CRC32C of a local file when {@code verifyChecksum}; an error names the file.
   */
  public Path localFile(FileEntry entry, boolean verifyChecksum) throws IOException {
    if (isRemote()) {
      return ShardCache.get().fetch(this, entry);
    }
    Path file = resolve(entry.file());
    verify(file.toString(), size(entry.file()), entry, verifyChecksum ? crc32c(file) : -1);
    return file;
  }

  /** Throws naming the file if its size (or CRC32C, unless -1) differs from the manifest's. */
  static void verify(String file, long size, FileEntry entry, long crc) throws IOException {
    if (size != entry.bytes()) {
      throw new ShardMismatchException(
          file
              + ": size differs from "
              + MANIFEST
              + ": expected "
              + entry.bytes()
              + " bytes, found "
              + size
              + " (the file was modified or truncated)");
    }
    if (crc != -1 && crc != entry.crc32c()) {
      throw new ShardMismatchException(
          file
              + ": CRC32C differs from "
              + MANIFEST
              + ": expected "
              + entry.crc32cHex()
              + ", found "
              + String.format("%08x", crc)
              + " (the file was modified)");
    }
  }

  /** Size of a file of the dataset; an error names it if it is missing. */
  public long size(String file) throws IOException {
    try {
      if (isRemote()) {
        return fileSystem().getFileStatus(remotePath(file)).getLen();
      }
      return Files.size(resolve(file));
    } catch (NoSuchFileException | FileNotFoundException e) {
      throw new ShardMismatchException(
          location(file)
              + ": shard file listed in "
              + MANIFEST
              + " is missing (if the dataset was overwritten after this query was planned, its"
              + " replaced files were deleted once "
              + RetiredFiles.RETENTION_CONF
              + " had passed: run the query again)");
    }
  }

  /** Last modification time of a file of the dataset (epoch ms); now if it vanished meanwhile. */
  public long lastModified(String file) {
    try {
      if (isRemote()) {
        return fileSystem().getFileStatus(remotePath(file)).getModificationTime();
      }
      return Files.getLastModifiedTime(resolve(file)).toMillis();
    } catch (IOException e) {
      return System.currentTimeMillis();
    }
  }

  /**
   * Where a task writes a file before {@link #publish}: in place for a local dataset, else in a
   * local staging directory of the task.
   */
  public Path stagingFile(Path stagingDir, String file) {
    return isRemote() ? stagingDir.resolve(DatasetPaths.checkName(file, path)) : resolve(file);
  }

  /** A new local directory (under Spark's local dir) where a task stages files to upload. */
  public static Path newStagingDirectory() throws IOException {
    String localDir;
    try {
      org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
      localDir =
          org.apache.spark.util.Utils.getLocalDir(
              env == null ? new org.apache.spark.SparkConf() : env.conf());
    } catch (RuntimeException e) {
      localDir = System.getProperty("java.io.tmpdir");
    }
    return Files.createTempDirectory(Paths.get(localDir), "zero-copy-search-staging-");
  }

  /** Deletes a local directory and everything in it, quietly. */
  public static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }

  /** Uploads a staged file to the remote dataset under its name (a no-op for a local dataset). */
  public void publish(Path staged, String file) throws IOException {
    if (!isRemote()) {
      return;
    }
    try {
      fileSystem()
          .copyFromLocalFile(
              false, true, new org.apache.hadoop.fs.Path(staged.toUri()), remotePath(file));
    } catch (IOException e) {
      throw new IOException(location(file) + ": cannot upload: " + e.getMessage(), e);
    }
  }

  public Path manifestPath() {
    return resolve(MANIFEST);
  }

  /** The manifest, if this directory holds a vec dataset. */
  public Optional<VecManifest> readManifest() {
    if (isRemote()) {
      String location = location(MANIFEST);
      try (FSDataInputStream in = fileSystem().open(remotePath(MANIFEST))) {
        checkManifestSize(location, fileSystem().getFileStatus(remotePath(MANIFEST)).getLen());
        String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return Optional.of(DatasetPaths.check(VecManifest.fromJson(json, location), location));
      } catch (FileNotFoundException e) {
        return Optional.empty();
      } catch (IOException e) {
        throw new UncheckedIOException(location + ": cannot read manifest: " + e.getMessage(), e);
      }
    }
    Path manifest = manifestPath();
    String json;
    try {
      checkManifestSize(manifest.toString(), Files.size(manifest));
      json = Files.readString(manifest, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(manifest + ": cannot read manifest: " + e.getMessage(), e);
    }
    VecManifest parsed = VecManifest.fromJson(json, manifest.toString());
    return Optional.of(DatasetPaths.check(parsed, manifest.toString()));
  }

  private static void checkManifestSize(String manifest, long bytes) {
    if (bytes > MAX_MANIFEST_BYTES) {
      throw new IllegalArgumentException(
          manifest
              + ": "
              + bytes
              + " bytes, more than a manifest may have ("
              + MAX_MANIFEST_BYTES
              + "): not a vec dataset manifest");
    }
  }

  /** The manifest, or an error saying why this path is not a vec dataset. */
  public VecManifest requireManifest() {
    return readManifest()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    isDirectory()
                        ? path + " is not a vec dataset: it has no " + MANIFEST
                        : "no vec dataset at " + path + ": the directory does not exist"));
  }

  /** True if nothing but hidden files (names starting with '.' or '_') lives here, or nothing. */
  public boolean isEmptyOrMissing() {
    return listFiles().stream().allMatch(name -> name.startsWith(".") || name.startsWith("_"));
  }

  /** Names of the regular files in the directory; empty if it does not exist. */
  public List<String> listFiles() {
    if (!isDirectory()) {
      return List.of();
    }
    if (isRemote()) {
      List<String> names = new ArrayList<>();
      try {
        for (FileStatus status : fileSystem().listStatus(new org.apache.hadoop.fs.Path(path))) {
          names.add(status.getPath().getName());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(path + ": cannot list: " + e.getMessage(), e);
      }
      return names;
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(path())) {
      files.forEach(file -> names.add(file.getFileName().toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot list: " + e.getMessage(), e);
    }
    return names;
  }

  private boolean isDirectory() {
    if (isRemote()) {
      try {
        return fileSystem().getFileStatus(new org.apache.hadoop.fs.Path(path)).isDirectory();
      } catch (FileNotFoundException e) {
        return false;
      } catch (IOException e) {
        throw new UncheckedIOException(path + ": " + e.getMessage(), e);
      }
    }
    return Files.isDirectory(path());
  }

  public void createDirectories() {
    if (isRemote()) {
      try {
        fileSystem().mkdirs(new org.apache.hadoop.fs.Path(path));
      } catch (IOException e) {
        throw new UncheckedIOException(path + ": cannot create directory: " + e.getMessage(), e);
      }
      return;
    }
    try {
      Files.createDirectories(path());
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot create directory: " + e.getMessage(), e);
    }
  }

  /** Replaces the manifest atomically ({@link AtomicFiles} locally, a rename on remote stores). */
  public void writeManifest(VecManifest manifest) throws IOException {
    if (isRemote()) {
      writeRemoteManifest(manifest);
      return;
    }
    byte[] json = manifest.toJson().getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(
        manifestPath(),
        channel -> {
          ByteBuffer bytes = ByteBuffer.wrap(json);
          while (bytes.hasRemaining()) {
            channel.write(bytes);
          }
        });
  }

  /**
   * A remote manifest: written to a temporary name, then renamed over the old one (atomic on HDFS
   * through FileContext; on object stores the rename is a copy of one small file).
   */
  private void writeRemoteManifest(VecManifest manifest) throws IOException {
    FileSystem fs = fileSystem();
    org.apache.hadoop.fs.Path target = remotePath(MANIFEST);
    org.apache.hadoop.fs.Path temporary =
        remotePath("." + MANIFEST + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FSDataOutputStream out = fs.create(temporary, false)) {
        out.write(manifest.toJson().getBytes(StandardCharsets.UTF_8));
        out.hsync();
      }
      if (!fs.rename(temporary, target)) {
        FileContext.getFileContext(target.toUri(), hadoopConf.value())
            .rename(temporary, target, Options.Rename.OVERWRITE);
      }
    } finally {
      fs.delete(temporary, false);
    }
  }

  /** Deletes a file of this directory if it exists; failures are returned, not thrown. */
  public Optional<IOException> deleteQuietly(String file) {
    try {
      if (isRemote()) {
        fileSystem().delete(remotePath(file), false);
        return Optional.empty();
      }
      Files.deleteIfExists(resolve(file));
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e);
    } catch (IllegalArgumentException e) { // a name outside the directory: nothing is deleted
      return Optional.of(new IOException(e.getMessage(), e));
    }
  }

  /** CRC32C of a whole file. */
  public static long crc32c(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        crc.update(buffer);
        buffer.clear();
      }
    }
    return crc.getValue();
  }

  @Override
  public String toString() {
    return path;
  }
}
