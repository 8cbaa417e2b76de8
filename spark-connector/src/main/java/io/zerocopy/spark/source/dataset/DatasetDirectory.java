package io.zerocopy.spark.source.dataset;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The directory of a vec dataset: {@code _manifest.json} plus the shard files it lists. Local file
 * systems only for now; the manifest is written to a temporary name, fsynced and renamed, so a
 * reader sees the old manifest or the new one, never a partial one.
 */
public final class DatasetDirectory implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final String MANIFEST = "_manifest.json";

  private final String path;

  private DatasetDirectory(String path) {
    this.path = path;
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
        throw new IllegalArgumentException(
            "path '"
                + location
                + "': file system '"
                + scheme
                + "' is not supported yet; use a local path or a file: URI");
      }
    } catch (URISyntaxException e) {
      local = Paths.get(location);
    }
    return new DatasetDirectory(local.toAbsolutePath().normalize().toString());
  }

  public Path path() {
    return Paths.get(path);
  }

  public Path resolve(String file) {
    return path().resolve(file);
  }

  public Path manifestPath() {
    return resolve(MANIFEST);
  }

  /** The manifest, if this directory holds a vec dataset. */
  public Optional<VecManifest> readManifest() {
    Path manifest = manifestPath();
    String json;
    try {
      json = Files.readString(manifest, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(manifest + ": cannot read manifest: " + e.getMessage(), e);
    }
    return Optional.of(VecManifest.fromJson(json, manifest.toString()));
  }

  /** The manifest, or an error saying why this path is not a vec dataset. */
  public VecManifest requireManifest() {
    return readManifest()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    Files.isDirectory(path())
                        ? path + " is not a vec dataset: it has no " + MANIFEST
                        : "no vec dataset at " + path + ": the directory does not exist"));
  }

  /** True if nothing but hidden files (names starting with '.' or '_') lives here, or nothing. */
  public boolean isEmptyOrMissing() {
    return listFiles().stream().allMatch(name -> name.startsWith(".") || name.startsWith("_"));
  }

  /** Names of the regular files in the directory; empty if it does not exist. */
  public List<String> listFiles() {
    if (!Files.isDirectory(path())) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(path())) {
      files.forEach(file -> names.add(file.getFileName().toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot list: " + e.getMessage(), e);
    }
    return names;
  }

  public void createDirectories() {
    try {
      Files.createDirectories(path());
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot create directory: " + e.getMessage(), e);
    }
  }

  /** Replaces the manifest atomically: temporary file, fsync, rename, fsync of the directory. */
  public void writeManifest(VecManifest manifest) throws IOException {
    Path target = manifestPath();
    Path temporary = resolve("." + MANIFEST + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel channel =
          FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(manifest.toJson().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      moveAtomically(temporary, target);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** Renames into place atomically and fsyncs the directory. */
  public static void moveAtomically(Path source, Path target) throws IOException {
    try {
      Files.move(
          source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          target + ": the file system cannot rename atomically, so the write cannot be made safe",
          e);
    }
    try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // some platforms cannot fsync a directory; the rename has happened either way
    }
  }

  /** Deletes a file of this directory if it exists; failures are returned, not thrown. */
  public Optional<IOException> deleteQuietly(String file) {
    try {
      Files.deleteIfExists(resolve(file));
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e);
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
