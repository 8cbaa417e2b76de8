package io.zerocopy.spark.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestCommitTest {

  @TempDir Path dir;

  private static ShardEntry shard(String name) {
    return new ShardEntry(
        name,
        10,
        4096,
        new FileEntry(name + ".vec", 152, 1),
        new FileEntry(name + ".ids.arrow", 64, 2),
        null);
  }

  private DatasetDirectory directory(boolean remote) {
    return DatasetDirectory.of(remote ? TestRemoteFileSystem.uri(dir) : dir.toString());
  }

  /** An append: the newest version's shards plus one. */
  private static ManifestCommit.Change append(String writeId, String shard) {
    return newest -> {
      List<ShardEntry> shards = new ArrayList<>();
      newest.ifPresent(v -> shards.addAll(v.manifest().shards()));
      shards.add(shard(shard));
      VecManifest base = newest.map(ManifestVersion::manifest).orElse(VecManifestTest.sample());
      return base.withShards(writeId, 3, shards);
    };
  }

  @Test
  void eachCommitIsANewVersionAndNoVersionIsReplaced() throws IOException {
    DatasetDirectory directory = directory(false);
    ManifestCommit.Committed first = ManifestCommit.commit(directory, "w1", append("w1", "a"));
    assertEquals(1, first.version());
    assertEquals(0, first.retries());
    assertEquals(first.manifest(), directory.requireManifest());
    String firstJson = Files.readString(directory.versionPath(1));

    ManifestCommit.Committed second =
        ManifestCommit.commit(
            directory,
            "w2",
            newest -> newest.get().manifest().withShards("w2", 3, List.of(shard("b"))));
    assertEquals(2, second.version());
    assertEquals(second.manifest(), directory.requireManifest());
    assertEquals(new ManifestVersion(2, second.manifest()), directory.readVersion().get());
    assertEquals(firstJson, Files.readString(directory.versionPath(1)), "version 1 was changed");
    // a's files are retired: listed and kept for readers planned on version 1
    for (String file : shard("a").files()) {
      assertTrue(second.manifest().retired().stream().anyMatch(r -> r.file().equals(file)));
    }
    // a version that exists is never written again
    assertFalse(directory.writeVersion(2, first.manifest()));
    assertEquals(second.manifest(), directory.readVersion(2));
    assertEquals(List.of(), temporaries());
  }

  @Test
  void aDatasetWithTheSingleManifestOfEarlierReleasesOpensAndCommitsOnTopOfIt() throws IOException {
    VecManifest legacy = VecManifestTest.sample().withShards("old", 3, List.of(shard("a")));
    Files.writeString(dir.resolve(DatasetDirectory.MANIFEST), legacy.toJson());
    DatasetDirectory directory = directory(false);
    assertEquals(new ManifestVersion(0, legacy), directory.readVersion().get());

    ManifestCommit.Committed next = ManifestCommit.commit(directory, "w1", append("w1", "b"));
    assertEquals(1, next.version());
    assertEquals(
        List.of("a", "b"), next.manifest().shards().stream().map(ShardEntry::name).toList());
    assertEquals(next.manifest(), directory.requireManifest());
  }

  @Test
  void aChangeThatRefusesTheNewestVersionCommitsNothing() {
    DatasetDirectory directory = directory(false);
    ManifestCommit.commit(directory, "w1", append("w1", "a"));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                ManifestCommit.commit(
                    directory,
                    "the overwrite of write w2",
                    newest -> {
                      throw ManifestCommit.changedMeanwhile(
                          directory, "the overwrite of write w2", 0, newest);
                    }));
    assertTrue(
        e.getMessage().contains("planned on manifest version 0, now version 1 by write w1"),
        e.getMessage());
    assertTrue(e.getMessage().contains("nothing was committed"), e.getMessage());
    assertEquals(1, directory.readVersion().get().version());
    assertEquals(1, directory.listVersions().size());
  }

  /**
   * Writers racing to append, each committing many times, while a reader reads throughout: every
   * append is in the final version exactly once, every version from 1 to the last exists, and the
   * reader only ever saw whole, committed versions that grew.
   */
  @ParameterizedTest(name = "remote={0}")
  @ValueSource(booleans = {false, true})
  void racingAppendsAllLandExactlyOnce(boolean remote) throws Exception {
    DatasetDirectory directory = directory(remote);
    int writers = 4;
    int commits = 20;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    AtomicBoolean writing = new AtomicBoolean(true);
    ConcurrentLinkedQueue<Integer> retries = new ConcurrentLinkedQueue<>();
    try {
      Future<Integer> reader =
          pool.submit(
              () -> {
                int reads = 0;
                long lastVersion = -1;
                int lastShards = 0;
                while (writing.get()) {
                  Optional<ManifestVersion> seen = directory.readVersion();
                  if (seen.isPresent()) {
                    assertTrue(seen.get().version() >= lastVersion, "versions went back");
                    int shards = seen.get().manifest().shards().size();
                    assertTrue(shards >= lastShards, "an acknowledged append vanished");
                    assertEquals(seen.get().version(), shards, "version " + seen.get().version());
                    lastVersion = seen.get().version();
                    lastShards = shards;
                  }
                  reads++;
                }
                return reads;
              });
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < commits; i++) {
                    String id = "w" + writer + "-" + i;
                    retries.add(ManifestCommit.commit(directory, id, append(id, id)).retries());
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> writer : done) {
        writer.get();
      }
      writing.set(false);
      assertTrue(reader.get() > 0);
    } finally {
      writing.set(false);
      pool.shutdownNow();
    }
    VecManifest last = directory.requireManifest();
    Set<String> names = new HashSet<>();
    last.shards().forEach(shard -> assertTrue(names.add(shard.name()), shard.name()));
    assertEquals(writers * commits, names.size());
    List<Long> versions =
        directory.listVersions().stream().map(DatasetDirectory.VersionFile::version).toList();
    assertEquals(writers * commits, versions.size());
    assertEquals(writers * commits, (long) versions.get(versions.size() - 1));
    assertEquals(writers * commits, retries.size());
    assertEquals(List.of(), temporaries());
  }

  /** Once the version exists the commit has happened: a cleanup that throws does not undo it. */
  @Test
  void aCleanupThatFailsAfterTheVersionIsWrittenLeavesTheCommitStanding() throws IOException {
    DatasetDirectory directory = directory(true);
    // version 1 lists a file retired long ago: the next commit deletes it, and the delete throws
    VecManifest first =
        VecManifestTest.sample()
            .withShards("w1", 3, List.of(shard("a")))
            .withRetired(List.of(new RetiredFiles.Retired("part-old.vec", 0)));
    assertTrue(directory.writeVersion(1, first));
    Files.write(dir.resolve("part-old.vec"), new byte[] {1});
    TestRemoteFileSystem.failDeletes = true;
    ManifestCommit.Committed committed;
    try {
      committed = ManifestCommit.commit(directory, "w2", append("w2", "b"));
    } finally {
      TestRemoteFileSystem.failDeletes = false;
    }
    assertEquals(2, committed.version());
    assertEquals(committed.manifest(), directory.requireManifest());
    assertTrue(Files.exists(dir.resolve("part-old.vec")));
  }

  @Test
  void replacedVersionsRetireAfterTheRetentionAndTheNewestNever() throws IOException {
    VecManifest legacy = VecManifestTest.sample().withShards("old", 3, List.of(shard("a")));
    Files.writeString(dir.resolve(DatasetDirectory.MANIFEST), legacy.toJson());
    DatasetDirectory directory = directory(false);
    for (int i = 1; i <= 3; i++) {
      ManifestCommit.commit(directory, "w" + i, append("w" + i, "s" + i));
    }
    Path versions = dir.resolve(DatasetDirectory.VERSIONS);
    Files.write(versions.resolve(".00000000000000000004.json.crashed.tmp"), new byte[] {1});
    long now = System.currentTimeMillis();

    ManifestCommit.retireVersions(directory, 3, now, 3_600_000);
    assertEquals(3, directory.listVersions().size(), "within the retention");
    assertTrue(Files.exists(dir.resolve(DatasetDirectory.MANIFEST)));
    assertEquals(List.of(), directory.deleteVersionTemporaries(now, 3_600_000));

    ManifestCommit.retireVersions(directory, 3, now + 3_600_000, 3_600_000);
    assertEquals(
        List.of(3L),
        directory.listVersions().stream().map(DatasetDirectory.VersionFile::version).toList());
    assertFalse(Files.exists(dir.resolve(DatasetDirectory.MANIFEST)), "the legacy manifest");
    assertEquals(
        List.of(DatasetDirectory.VERSIONS + "/.00000000000000000004.json.crashed.tmp"),
        directory.deleteVersionTemporaries(now + 3_600_000, 3_600_000));
    assertEquals(3, directory.requireVersion().version());
    assertEquals(
        List.of("a", "s1", "s2", "s3"),
        directory.requireManifest().shards().stream().map(ShardEntry::name).toList());
  }

  @Test
  void versionNamesSortAsNumbersAndNothingElseIsAVersion() {
    assertEquals("00000000000000000042.json", DatasetDirectory.versionName(42));
    assertEquals(42, DatasetDirectory.parseVersionName("00000000000000000042.json"));
    assertEquals(-1, DatasetDirectory.parseVersionName(".00000000000000000042.json.x.tmp"));
    assertEquals(-1, DatasetDirectory.parseVersionName("0000000000000000004x.json"));
    assertEquals(-1, DatasetDirectory.parseVersionName("42.json"));
  }

  @Test
  void aCorruptVersionIsNamedNotSkipped() throws IOException {
    DatasetDirectory directory = directory(false);
    ManifestCommit.commit(directory, "w1", append("w1", "a"));
    Files.createDirectories(dir.resolve(DatasetDirectory.VERSIONS));
    Path second = dir.resolve(DatasetDirectory.VERSIONS).resolve(DatasetDirectory.versionName(2));
    Files.write(second, "{not json".getBytes(StandardCharsets.UTF_8));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, directory::readManifest);
    assertTrue(e.getMessage().startsWith(second.toString()), e.getMessage());
  }

  private List<String> temporaries() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(name -> name.endsWith(".tmp"))
          .toList();
    }
  }
}
