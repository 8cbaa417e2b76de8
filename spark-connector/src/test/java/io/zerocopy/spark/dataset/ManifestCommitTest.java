package io.zerocopy.spark.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void aCommitReplacesTheManifestAndRetiresWhatItNoLongerLists() throws IOException {
    DatasetDirectory directory = DatasetDirectory.of(dir.toString());
    VecManifest first =
        ManifestCommit.commit(
            directory, null, VecManifestTest.sample().withShards("w1", 3, List.of(shard("a"))));
    assertEquals(first, directory.requireManifest());
    assertEquals(List.of(), first.retired());
    for (String file : shard("a").files()) {
      Files.write(dir.resolve(file), new byte[] {1});
    }

    VecManifest second =
        ManifestCommit.commit(directory, first, first.withShards("w2", 3, List.of(shard("b"))));
    assertEquals(second, directory.requireManifest());
    assertEquals("w2", second.writeId());
    // a's files are retired: listed and kept for readers planned on w1, or, with a retention of
    // 0 in this JVM's session, already deleted
    for (String file : shard("a").files()) {
      boolean listed = second.retired().stream().anyMatch(r -> r.file().equals(file));
      assertTrue(listed == Files.exists(dir.resolve(file)), file);
    }
    try (var files = Files.list(dir)) {
      assertFalse(
          files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary left");
    }
  }

  @Test
  void aCommitOnAChangedManifestFailsNamingBothVersions() {
    DatasetDirectory directory = DatasetDirectory.of(dir.toString());
    VecManifest now = VecManifestTest.sample().withShards("w9", 3, List.of(shard("a")));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> ManifestCommit.requireUnchanged(directory, "w1", Optional.of(now), "this write"));
    assertTrue(e.getMessage().contains("manifest w1 became w9"), e.getMessage());
    assertTrue(e.getMessage().contains("while this write ran"), e.getMessage());
    assertTrue(e.getMessage().contains("nothing was committed"), e.getMessage());
    // a dataset created meanwhile, and one deleted meanwhile
    assertThrows(
        IllegalStateException.class,
        () -> ManifestCommit.requireUnchanged(directory, null, Optional.of(now), "this write"));
    assertThrows(
        IllegalStateException.class,
        () -> ManifestCommit.requireUnchanged(directory, "w9", Optional.empty(), "this write"));
    ManifestCommit.requireUnchanged(directory, "w9", Optional.of(now), "this write");
    ManifestCommit.requireUnchanged(directory, null, Optional.empty(), "this write");
  }
}
