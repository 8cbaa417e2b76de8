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
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The directory of a vec dataset: {@code _manifest.json} plus the shard files it lists. A local
 * path (or {@code file:} URI) is used in place; any other URI goes through Hadoop's {@link
 * FileSystem} (hdfs, s3a, ...): its shard files are copied once per JVM into the bounded local
 * {@link ShardCache} and mapped there, and tasks write their files locally, then upload them. Each
 * commit creates a new manifest version ({@link #writeVersion}) that no other commit can replace;
 * readers read the newest, whole.
 */
public final class DatasetDirectory implements Serializable {

  private static final long serialVersionUID = 1L;

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(DatasetDirectory.class);

  /** The directory of manifest versions, {@code <20-digit version>.json}: the commit log. */
  public static final String VERSIONS = "_manifests";

  /** The single manifest of datasets written before versions existed; read as version 0. */
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
              + "the manifest"
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
              + "the manifest"
              + ": expected "
              + entry.crc32cHex()
              + ", found "
              + String.format("%08x", crc)
              + " (the file was modified)");
    }
  }

  /**
   * {@link #localFile}, kept on disk until the result is closed (a remote file's cache copy is not
   * evicted meanwhile): for files that stay mapped or open.
   */
  public PinnedFile pinnedFile(FileEntry entry, boolean verifyChecksum) throws IOException {
    if (isRemote()) {
      return ShardCache.get().fetchPinned(this, entry);
    }
    return new PinnedFile(localFile(entry, verifyChecksum), null);
  }

  /**
   * The centroids of a clustered dataset ({@code entry}: the manifest's), their size and CRC32C
   * checked against it, then every field of the file; an error names the file.
   */
  public io.zerocopy.engine.cluster.Centroids readCentroids(FileEntry entry) {
    try {
      return io.zerocopy.engine.cluster.CentroidsFile.read(localFile(entry, true));
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /** The manifest entry of a file of the dataset: its size and CRC32C, read now. */
  public FileEntry describe(String file) throws IOException {
    if (!isRemote()) {
      Path local = resolve(file);
      return new FileEntry(file, Files.size(local), crc32c(local));
    }
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    long size = 0;
    try (java.io.InputStream in = fileSystem().open(remotePath(file))) {
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        crc.update(buffer, 0, n);
        size += n;
      }
    } catch (IOException e) {
      throw new IOException(location(file) + ": cannot read: " + e.getMessage(), e);
    }
    return new FileEntry(file, size, crc.getValue());
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
              + "the manifest"
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

  /**
   * The newest committed manifest, if this directory holds a vec dataset: the highest version in
   * {@value #VERSIONS}, else (a dataset written before versions existed) {@value #MANIFEST}.
   */
  public Optional<VecManifest> readManifest() {
    return readVersion().map(ManifestVersion::manifest);
  }

  /** The newest committed manifest with its version number; empty if there is no dataset. */
  public Optional<ManifestVersion> readVersion() {
    for (int attempt = 1; ; attempt++) {
      List<VersionFile> versions = listVersions();
      if (versions.isEmpty()) {
        try {
          return Optional.of(new ManifestVersion(0, readVersion(0)));
        } catch (FileNotFoundException | NoSuchFileException e) {
          if (listVersions().isEmpty()) {
            return Optional.empty();
          }
          continue; // a first version appeared meanwhile
        } catch (IOException e) {
          throw new UncheckedIOException(
              versionLocation(0) + ": cannot read manifest: " + e.getMessage(), e);
        }
      }
      long newest = versions.get(versions.size() - 1).version();
      try {
        return Optional.of(new ManifestVersion(newest, readVersion(newest)));
      } catch (FileNotFoundException | NoSuchFileException e) {
        // retired between the listing and the read (a retention of 0): newer versions exist
        if (attempt == 5) {
          throw new UncheckedIOException(
              versionLocation(newest)
                  + ": manifest versions were retired faster than they could be read ("
                  + RetiredFiles.RETENTION_CONF
                  + " is too short for this many concurrent commits)",
              e);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            versionLocation(newest) + ": cannot read manifest: " + e.getMessage(), e);
      }
    }
  }

  /**
   * One version of the manifest.
   *
   * @throws FileNotFoundException or {@link NoSuchFileException} if it does not exist (any more)
   * @throws IllegalArgumentException naming the file if it is not a valid manifest
   */
  public VecManifest readVersion(long version) throws IOException {
    String location = versionLocation(version);
    String json;
    if (isRemote()) {
      FileSystem fs = fileSystem();
      org.apache.hadoop.fs.Path file = remoteVersionPath(version);
      checkManifestSize(location, fs.getFileStatus(file).getLen());
      try (FSDataInputStream in = fs.open(file)) {
        json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } else {
      Path file = versionPath(version);
      checkManifestSize(location, Files.size(file));
      json = Files.readString(file, StandardCharsets.UTF_8);
    }
    return DatasetPaths.check(VecManifest.fromJson(json, location), location);
  }

  /** A version file and when it was written (epoch ms). */
  public record VersionFile(long version, long modified) {}

  /** The versions in {@value #VERSIONS}, oldest first; empty if there are none. */
  public List<VersionFile> listVersions() {
    List<VersionFile> versions = new ArrayList<>();
    try {
      if (isRemote()) {
        for (FileStatus status : fileSystem().listStatus(remotePath(VERSIONS))) {
          long version = parseVersionName(status.getPath().getName());
          if (version > 0) {
            versions.add(new VersionFile(version, status.getModificationTime()));
          }
        }
      } else {
        try (Stream<Path> files = Files.list(resolve(VERSIONS))) {
          for (Path file : (Iterable<Path>) files::iterator) {
            long version = parseVersionName(file.getFileName().toString());
            if (version > 0) {
              versions.add(new VersionFile(version, Files.getLastModifiedTime(file).toMillis()));
            }
          }
        }
      }
    } catch (FileNotFoundException | NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(
          location(VERSIONS) + ": cannot list manifest versions: " + e.getMessage(), e);
    }
    versions.sort(java.util.Comparator.comparingLong(VersionFile::version));
    return versions;
  }

  /** The file name of a version: 20 digits, so that names sort as numbers. */
  static String versionName(long version) {
    return String.format("%020d.json", version);
  }

  /** The version a file name of {@value #VERSIONS} holds, or -1 if it is not one. */
  static long parseVersionName(String name) {
    if (name.length() != 25 || !name.endsWith(".json")) {
      return -1;
    }
    for (int i = 0; i < 20; i++) {
      if (name.charAt(i) < '0' || name.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(name.substring(0, 20));
  }

  /** Where a version is, for messages: version 0 is the legacy {@value #MANIFEST}. */
  public String versionLocation(long version) {
    if (version == 0) {
      return location(MANIFEST);
    }
    return location(VERSIONS) + "/" + versionName(version);
  }

  /** The local file of a version; only for a local dataset. */
  public Path versionPath(long version) {
    if (version == 0) {
      return resolve(MANIFEST);
    }
    return DatasetPaths.resolveInside(resolve(VERSIONS), versionName(version));
  }

  private org.apache.hadoop.fs.Path remoteVersionPath(long version) {
    if (version == 0) {
      return remotePath(MANIFEST);
    }
    return new org.apache.hadoop.fs.Path(remotePath(VERSIONS), versionName(version));
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
    return requireVersion().manifest();
  }

  /** The newest version, or an error saying why this path is not a vec dataset. */
  public ManifestVersion requireVersion() {
    return readVersion()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    isDirectory()
                        ? path
                            + " is not a vec dataset: it has no manifest ("
                            + VERSIONS
                            + "/ or "
                            + MANIFEST
                            + ")"
                        : "no vec dataset at " + path + ": the directory does not exist"));
  }

  /**
   * True if nothing lives here but hidden files (names starting with '.' or '_') and shard files of
   * writes not committed yet (another writer creating the dataset right now), or nothing.
   */
  public boolean isEmptyOrMissing() {
    return listFiles().stream()
        .allMatch(
            name ->
                name.startsWith(".") || name.startsWith("_") || SHARD_FILE.matcher(name).matches());
  }

  /**
   * The names of shard files, {@code part-NNNNN-<write uuid>-<task>.vec|.ids.arrow|.hnsw}, and of
   * centroids files, {@code part-centroids-<uuid>.centroids}.
   */
  private static final java.util.regex.Pattern SHARD_FILE =
      java.util.regex.Pattern.compile(
          "part-\\d{5,}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-\\d+"
              + "\\.(vec|ids\\.arrow|hnsw)"
              + "|part-centroids-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
              + "\\.centroids");

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

  /**
   * Creates version {@code version} of the manifest if no commit has taken that number: the commit
   * point of every write and index build. A version is never replaced; readers see it whole or not
   * at all. Locally: a temporary file, fsync, then a hard link to the version's name, which fails
   * if it exists ({@link AtomicFiles#createIfAbsent}). On a Hadoop file system: a temporary file,
   * then {@code rename}, which on HDFS fails atomically when the target exists (object stores: see
   * the connector README).
   *
   * @return false if another commit holds that version; nothing was changed then
   * @throws IOException if the version cannot be written; nothing was committed then
   */
  public boolean writeVersion(long version, VecManifest manifest) throws IOException {
    if (version < 1) {
      throw new IllegalArgumentException("manifest versions start at 1, got " + version);
    }
    byte[] json = manifest.toJson().getBytes(StandardCharsets.UTF_8);
    if (isRemote()) {
      return writeRemoteVersion(version, json, manifest.writeId());
    }
    Files.createDirectories(resolve(VERSIONS));
    return AtomicFiles.createIfAbsent(
        versionPath(version),
        channel -> {
          ByteBuffer bytes = ByteBuffer.wrap(json);
          while (bytes.hasRemaining()) {
            channel.write(bytes);
          }
        });
  }

  private boolean writeRemoteVersion(long version, byte[] json, String writeId) throws IOException {
    FileSystem fs = fileSystem();
    org.apache.hadoop.fs.Path versions = remotePath(VERSIONS);
    fs.mkdirs(versions);
    org.apache.hadoop.fs.Path target = remoteVersionPath(version);
    if (fs.hasPathCapability(versions, CONDITIONAL_CREATE)) {
      return writeConditionally(fs, target, version, json, writeId);
    }
    org.apache.hadoop.fs.Path temporary =
        new org.apache.hadoop.fs.Path(
            versions, "." + versionName(version) + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FSDataOutputStream out = fs.create(temporary, false)) {
        out.write(json);
        out.hsync();
      }
      boolean renamed;
      try {
        renamed = fs.rename(temporary, target);
      } catch (IOException e) {
        // the outcome is unknown (some stores throw for an existing target): look
        if (!fs.exists(target)) {
          throw e;
        }
        return holdsWrite(version, writeId);
      }
      if (!renamed && !fs.exists(target)) {
        throw new IOException(
            location(VERSIONS)
                + ": cannot rename "
                + temporary.getName()
                + " to "
                + target.getName());
      }
      // read back: where the store's "target exists" check and its copy are separate requests,
      // another commit may have replaced ours, or ours theirs; only the one it holds committed
      return holdsWrite(version, writeId);
    } finally {
      try {
        fs.delete(temporary, false);
      } catch (IOException e) {
        // after a rename there is nothing to delete; a leftover hidden temporary is harmless
      }
    }
  }

  /** Hadoop's create-if-absent for object stores that have it (S3A with conditional writes). */
  private static final String CONDITIONAL_CREATE =
      org.apache.hadoop.fs.Options.CreateFileOptionKeys.FS_OPTION_CREATE_CONDITIONAL_OVERWRITE;

  /**
   * A store that creates an object only if none exists, at close (S3's {@code If-None-Match: *}):
   * the version is written straight to its name, and a close that fails because the object exists
   * means the number was taken.
   */
  private boolean writeConditionally(
      FileSystem fs, org.apache.hadoop.fs.Path target, long version, byte[] json, String writeId)
      throws IOException {
    org.apache.hadoop.fs.FSDataOutputStreamBuilder<?, ?> builder = fs.createFile(target);
    builder.overwrite(true); // the builder mutates itself; its generic return type is lost here
    builder.must(CONDITIONAL_CREATE, true);
    try (FSDataOutputStream out = builder.build()) {
      out.write(json);
    } catch (IOException e) {
      if (fs.exists(target)) {
        return holdsWrite(version, writeId);
      }
      throw e;
    }
    return true;
  }

  /** True if version {@code version} is the one written by {@code writeId}. */
  private boolean holdsWrite(long version, String writeId) {
    try {
      return readVersion(version).writeId().equals(writeId);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Deletes hidden temporaries in {@value #VERSIONS} (left by writers killed before their version
   * was created) last modified at least {@code retention} ago, best effort.
   *
   * @return their names, as {@code _manifests/<name>}
   */
  public List<String> deleteVersionTemporaries(long now, long retention) {
    List<String> deleted = new ArrayList<>();
    try {
      if (isRemote()) {
        FileSystem fs = fileSystem();
        for (FileStatus status : fs.listStatus(remotePath(VERSIONS))) {
          String name = status.getPath().getName();
          if (name.startsWith(".")
              && name.endsWith(".tmp")
              && now - status.getModificationTime() >= retention
              && fs.delete(status.getPath(), false)) {
            deleted.add(VERSIONS + "/" + name);
          }
        }
      } else {
        try (Stream<Path> files = Files.list(resolve(VERSIONS))) {
          for (Path file : (Iterable<Path>) files::iterator) {
            String name = file.getFileName().toString();
            if (name.startsWith(".")
                && name.endsWith(".tmp")
                && now - Files.getLastModifiedTime(file).toMillis() >= retention
                && Files.deleteIfExists(file)) {
              deleted.add(VERSIONS + "/" + name);
            }
          }
        }
      }
    } catch (FileNotFoundException | NoSuchFileException e) {
      return deleted;
    } catch (IOException e) {
      LOG.warn("{}: cannot clean up temporaries of manifest versions", location(VERSIONS), e);
    }
    return deleted;
  }

  /** Deletes a version (or, for 0, the legacy manifest); failures are returned, not thrown. */
  public Optional<IOException> deleteVersionQuietly(long version) {
    try {
      if (isRemote()) {
        fileSystem().delete(remoteVersionPath(version), false);
      } else {
        Files.deleteIfExists(versionPath(version));
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e);
    } catch (IllegalArgumentException e) {
      return Optional.of(new IOException(e.getMessage(), e));
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
