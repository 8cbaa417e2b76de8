package io.zerocopy.spark.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a dataset's manifest is committed, by a write and by an index build alike, as Delta
 * commits its log: each commit creates the next manifest version, a file created only if absent
 * ({@link DatasetDirectory#writeVersion}). Creating it is the commit: before it readers see the
 * previous version, after it this one, and no later step can undo it. A commit that finds its
 * version number taken re-reads the newest version and asks its {@link Change} again, which either
 * rebases onto it (an append, an index build whose shards are still there) or refuses (an overwrite
 * planned on an older version). After the commit, best effort: retired files and old versions past
 * their retention are deleted ({@link RetiredFiles}).
 */
public final class ManifestCommit {

  private static final Logger LOG = LoggerFactory.getLogger(ManifestCommit.class);

  /** Attempts before a commit that keeps losing the race gives up. */
  public static final int MAX_ATTEMPTS = 20;

  /** Races lost in this JVM since it started, for monitoring and benchmarks. */
  private static final AtomicLong LOST_RACES = new AtomicLong();

  private ManifestCommit() {}

  /** How many times a commit of this JVM found its version number taken and retried. */
  public static long lostRaces() {
    return LOST_RACES.get();
  }

  /** What a commit makes of the newest committed version. */
  @FunctionalInterface
  public interface Change {
    /**
     * @param newest the newest committed version, or empty if there is no dataset
     * @return the manifest to commit as the next version (its retired list is recomputed)
     * @throws RuntimeException naming both versions if the operation does not fit {@code newest}:
     *     nothing is committed then
     */
    VecManifest apply(Optional<ManifestVersion> newest);
  }

  /** A commit that happened: its version, the manifest as written, and the races it lost. */
  public record Committed(long version, VecManifest manifest, int retries) {}

  /**
   * Commits {@code change} as the next manifest version, retrying on a newer version when another
   * commit takes the number first, up to {@value #MAX_ATTEMPTS} attempts.
   *
   * @param operation what commits, for messages ("the append of write 1a2b...")
   * @throws IllegalStateException if the attempts ran out; nothing was committed then
   * @throws UncheckedIOException naming the version if it cannot be written; nothing was committed
   */
  public static Committed commit(DatasetDirectory directory, String operation, Change change) {
    Optional<ManifestVersion> first = directory.readVersion();
    Optional<ManifestVersion> newest = first;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) {
        backOff(attempt);
        newest = directory.readVersion();
      }
      VecManifest previous = newest.map(ManifestVersion::manifest).orElse(null);
      long version = newest.map(ManifestVersion::version).orElse(0L) + 1;
      long now = System.currentTimeMillis();
      long retention = RetiredFiles.retentionMillis();
      VecManifest next = change.apply(newest);
      RetiredFiles.Plan retire = RetiredFiles.plan(previous, next, now, retention);
      VecManifest committed = next.withRetired(retire.kept());
      boolean created;
      try {
        created = directory.writeVersion(version, committed);
      } catch (IOException e) {
        throw new UncheckedIOException(
            directory.versionLocation(version)
                + ": cannot write manifest version: "
                + e.getMessage()
                + "; nothing was committed",
            e);
      }
      if (created) {
        // committed: nothing from here on may fail the operation or delete what it lists
        try {
          RetiredFiles.delete(directory, retire.expired());
          retireVersions(directory, version, now, retention);
        } catch (RuntimeException e) {
          LOG.warn("{}: committed version {}, but its cleanup failed", directory, version, e);
        }
        if (attempt > 0) {
          LOG.info(
              "{}: {} committed version {} after {} lost races",
              directory,
              operation,
              version,
              attempt);
        }
        return new Committed(version, committed, attempt);
      }
      LOST_RACES.incrementAndGet();
      LOG.info(
          "{}: version {} was taken by another commit; {} retries on it",
          directory,
          version,
          operation);
    }
    long planned = first.map(ManifestVersion::version).orElse(0L);
    long last = newest.map(ManifestVersion::version).orElse(0L);
    throw new IllegalStateException(
        directory
            + ": "
            + operation
            + " could not commit: planned on manifest version "
            + planned
            + ", it lost the race for the next version "
            + MAX_ATTEMPTS
            + " times to other commits (newest seen: version "
            + (last + 1)
            + "); nothing was committed, retry when fewer writers commit at once");
  }

  /** Randomized exponential back-off so that racing writers spread out: 1 ms up to ~0.5 s. */
  private static void backOff(int attempt) {
    long bound = 1L << Math.min(attempt, 9);
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, bound + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while retrying a commit; nothing committed", e);
    }
  }

  /**
   * Deletes versions older than {@code committed} that were replaced longer than {@code retention}
   * ago (a version is replaced when the next one is written), and the legacy {@value
   * DatasetDirectory#MANIFEST} likewise once the first version replaced it. The newest version is
   * never deleted. Best effort.
   */
  public static void retireVersions(
      DatasetDirectory directory, long committed, long now, long retention) {
    List<DatasetDirectory.VersionFile> versions = directory.listVersions();
    if (versions.isEmpty()) {
      return;
    }
    if (now - versions.get(0).modified() >= retention) {
      directory.deleteVersionQuietly(0); // nothing if absent
    }
    for (int i = 0; i + 1 < versions.size(); i++) {
      DatasetDirectory.VersionFile version = versions.get(i);
      if (version.version() < committed && now - versions.get(i + 1).modified() >= retention) {
        directory
            .deleteVersionQuietly(version.version())
            .ifPresent(
                e -> LOG.warn("cannot delete manifest version {} of {}", version, directory, e));
      }
    }
  }

  /**
   * An error for an operation that must apply to the version it was planned on (an overwrite) when
   * another commit came first.
   */
  public static IllegalStateException changedMeanwhile(
      DatasetDirectory directory, String operation, long planned, Optional<ManifestVersion> now) {
    return new IllegalStateException(
        directory
            + " was changed by another commit while "
            + operation
            + " ran (planned on manifest version "
            + planned
            + ", now "
            + now.map(v -> "version " + v.version() + " by write " + v.manifest().writeId())
                .orElse("deleted")
            + "); nothing was committed, retry");
  }
}
