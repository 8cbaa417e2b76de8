package io.zerocopy.engine.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Replaces a local file so that a crash leaves either the old file or the new one, never a mix: a
 * temporary name beside the target ({@code .<name>.<uuid>.tmp}), fsync, atomic rename, fsync of the
 * directory (so that the rename itself survives a crash). The one implementation of that sequence
 * for the {@code .vec}, {@code .hnsw} and manifest writers.
 */
public final class AtomicFiles {

  private AtomicFiles() {}

  /** What goes into the file; it writes to {@code channel} from position 0. */
  @FunctionalInterface
  public interface Content {
    void writeTo(FileChannel channel) throws IOException;
  }

  /**
   * Writes {@code content} to a temporary file beside {@code target}, fsyncs it and renames it over
   * {@code target}. On any failure the temporary file is deleted and {@code target} is unchanged.
   */
  public static void write(Path target, Content content) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path temporary = temporaryFor(absolute);
    try {
      writeDurably(temporary, content);
      moveIntoPlace(temporary, absolute);
    } finally {
      // after the rename there is nothing left to delete
      Files.deleteIfExists(temporary);
    }
  }

  /**
   * Creates {@code target} with {@code content} only if no file of that name exists, in one atomic
   * step: the content is written and fsynced under a temporary name, then hard-linked to the
   * target. {@code link(2)} fails when the target exists, with no window between the check and the
   * creation (a rename without replace has one in Java: it checks, then renames), and a reader sees
   * no file or the whole one. Two callers racing for one name: exactly one gets true.
   *
   * @return false if {@code target} already existed; nothing was changed then
   * @throws IOException if the content cannot be written or the file system has no hard links
   */
  public static boolean createIfAbsent(Path target, Content content) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path temporary = temporaryFor(absolute);
    try {
      writeDurably(temporary, content);
      try {
        Files.createLink(absolute, temporary);
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException e) {
        throw new IOException(
            target
                + ": the file system cannot create hard links, so a create-if-absent cannot be"
                + " made atomic",
            e);
      }
      syncDirectory(absolute);
      return true;
    } finally {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException e) {
        // once linked, the target stands; a leftover hidden temporary is harmless
      }
    }
  }

  /** Writes {@code content} into a new file and fsyncs it. */
  private static void writeDurably(Path file, Content content) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      content.writeTo(channel);
      channel.force(true);
    }
  }

  /**
   * A fresh temporary name beside {@code target}, for writers that stream into it over many calls
   * and then {@link #moveIntoPlace}. Hidden (a leading dot) so that listings of data files skip a
   * crashed writer's leftover.
   *
   * @throws NoSuchFileException if the target's directory does not exist
   */
  public static Path temporaryFor(Path target) throws NoSuchFileException {
    Path absolute = target.toAbsolutePath();
    Path directory = absolute.getParent();
    if (directory != null && !Files.isDirectory(directory)) {
      throw new NoSuchFileException(
          directory.toString(), null, "directory for " + target + " does not exist");
    }
    return absolute.resolveSibling("." + absolute.getFileName() + "." + UUID.randomUUID() + ".tmp");
  }

  /**
   * Renames {@code temporary} (already fsynced) over {@code target} atomically, then fsyncs the
   * directory. A file system that cannot rename atomically is an error, not a silent copy.
   */
  public static void moveIntoPlace(Path temporary, Path target) throws IOException {
    try {
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          target + ": the file system cannot rename atomically, so the write cannot be made safe",
          e);
    }
    syncDirectory(target);
  }

  /** Fsyncs the directory of {@code file}, so that a rename or link in it survives a crash. */
  private static void syncDirectory(Path file) {
    Path directory = file.toAbsolutePath().getParent();
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // some platforms cannot open a directory for fsync; the rename has happened either way
    }
  }
}
