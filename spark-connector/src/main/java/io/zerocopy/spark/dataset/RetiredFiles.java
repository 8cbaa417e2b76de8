package io.zerocopy.spark.dataset;

import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files replaced by a commit (an overwrite, or a rebuilt index) are not deleted at once: a query
 * planned on the earlier manifest may still be about to open them. The new manifest lists them as
 * retired with the time they were replaced, and a later commit (or {@code VecDatasets.vacuum})
 * deletes those older than the retention, {@value #RETENTION_CONF} (default {@value
 * #DEFAULT_RETENTION}; 0 deletes them at the commit).
 */
public final class RetiredFiles {

  private static final Logger LOG = LoggerFactory.getLogger(RetiredFiles.class);

  public static final String RETENTION_CONF = "spark.zerocopy.vec.retention";
  public static final String DEFAULT_RETENTION = "1h";

  /** A file no manifest references any more, since {@code since} (epoch milliseconds). */
  public record Retired(String file, long since) implements Serializable {
    public Retired {
      new FileEntry(file, 0, 0); // the same name rules as a shard file
    }
  }

  /** What a commit decides: the list the new manifest carries, and what to delete after it. */
  public record Plan(List<Retired> kept, List<String> expired) {}

  private RetiredFiles() {}

  /** The retention of the active session, in milliseconds. */
  public static long retentionMillis() {
    // SparkSession.active() throws a checked SparkException when there is none
    scala.Option<SparkSession> session = SparkSession.getActiveSession();
    if (session.isEmpty()) {
      session = SparkSession.getDefaultSession();
    }
    // without a session (the engine's users, tools): the JVM system property of the same name
    String raw =
        session.isEmpty()
            ? System.getProperty(RETENTION_CONF, DEFAULT_RETENTION)
            : session.get().conf().get(RETENTION_CONF, DEFAULT_RETENTION);
    return parseRetention(raw);
  }

  /** A duration in Spark's notation ("0", "30s", "15min", "1h", "7d"); bare numbers are ms. */
  public static long parseRetention(String raw) {
    try {
      long millis = JavaUtils.timeStringAsMs(raw.trim());
      if (millis < 0) {
        throw new NumberFormatException("negative");
      }
      return millis;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          RETENTION_CONF
              + ": invalid duration '"
              + raw
              + "': expected e.g. 0, 30s, 15min, 1h or 7d",
          e);
    }
  }

  /**
   * The retired files of the manifest that replaces {@code previous} by {@code next}: those {@code
   * previous} already retired, plus its files that {@code next} no longer references (retired now),
   * split into those to keep listing and those older than the retention, to delete after the
   * commit.
   */
  public static Plan plan(VecManifest previous, VecManifest next, long now, long retentionMillis) {
    Set<String> referenced = new HashSet<>();
    referenced.addAll(next.files());
    Map<String, Retired> all = new LinkedHashMap<>();
    if (previous != null) {
      previous.retired().forEach(file -> all.put(file.file(), file));
      for (String file : previous.files()) {
        all.putIfAbsent(file, new Retired(file, now));
      }
    }
    List<Retired> kept = new ArrayList<>();
    List<String> expired = new ArrayList<>();
    for (Retired file : all.values()) {
      if (referenced.contains(file.file())) {
        continue;
      }
      if (now - file.since() >= retentionMillis) {
        expired.add(file.file());
      } else {
        kept.add(file);
      }
    }
    return new Plan(kept, expired);
  }

  /** Deletes files after a commit: best effort, since the new manifest is already visible. */
  public static void delete(DatasetDirectory directory, List<String> files) {
    for (String file : files) {
      directory
          .deleteQuietly(file)
          .ifPresent(e -> LOG.warn("cannot delete unreferenced file {}", file, e));
    }
  }

  /** Names in the directory that contain {@code token} (files of one write or build). */
  public static List<String> filesOf(DatasetDirectory directory, String token) {
    List<String> found = new ArrayList<>();
    try {
      for (String file : directory.listFiles()) {
        if (file.contains(token)) {
          found.add(file);
        }
      }
    } catch (UncheckedIOException e) {
      LOG.warn("cannot list {} to clean up", directory, e);
    }
    return found;
  }
}
