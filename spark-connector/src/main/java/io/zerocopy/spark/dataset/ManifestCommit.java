package io.zerocopy.spark.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;

/**
 * The one place a dataset's manifest is committed, by a write and by an index build alike: check
 * that no other commit happened since the operation was planned, plan which replaced files to
 * retire ({@link RetiredFiles}), write the manifest atomically, then delete retired files past
 * their retention. The write of {@code _manifest.json} is the commit: before it readers see the old
 * dataset, after it the new one.
 */
public final class ManifestCommit {

  private ManifestCommit() {}

  /**
   * Checks that {@code current}, the manifest read at commit time, is the one the operation was
   * planned on.
   *
   * @param plannedWriteId the manifest's write id when the operation was planned; null if there was
   *     no dataset
   * @param operation what ran meanwhile, for the error ("this write", "its index build")
   * @throws IllegalStateException if another commit happened in between; nothing is committed
   */
  public static void requireUnchanged(
      DatasetDirectory directory,
      String plannedWriteId,
      Optional<VecManifest> current,
      String operation) {
    String now = current.map(VecManifest::writeId).orElse(null);
    if (!Objects.equals(plannedWriteId, now)) {
      throw new IllegalStateException(
          directory
              + " was changed by another write while "
              + operation
              + " ran (manifest "
              + plannedWriteId
              + " became "
              + now
              + "); nothing was committed, retry");
    }
  }

  /**
   * Commits {@code next} over {@code current}: files {@code current} lists and {@code next} does
   * not are retired, {@code next} (with that retired list) is written atomically, and retired files
   * past their retention are deleted, best effort.
   *
   * @param current the committed manifest {@code next} replaces, or null for a new dataset
   * @return the manifest as written
   * @throws UncheckedIOException naming the manifest if it cannot be written; then nothing changed
   */
  public static VecManifest commit(
      DatasetDirectory directory, VecManifest current, VecManifest next) {
    RetiredFiles.Plan retire =
        RetiredFiles.plan(
            current, next, System.currentTimeMillis(), RetiredFiles.retentionMillis());
    VecManifest committed = next.withRetired(retire.kept());
    try {
      directory.writeManifest(committed);
    } catch (IOException e) {
      throw new UncheckedIOException(
          directory.location(DatasetDirectory.MANIFEST)
              + ": cannot write manifest: "
              + e.getMessage(),
          e);
    }
    RetiredFiles.delete(directory, retire.expired());
    return committed;
  }
}
