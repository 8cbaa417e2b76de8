package io.zerocopy.spark.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor's cache of remote shard files, without Spark: copy once, verify, LRU by bytes. */
class ShardCacheTest {

  @TempDir Path temp;

  private FileEntry file(Path dir, String name, int bytes, int seed) throws IOException {
    byte[] content = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      content[i] = (byte) (i * 31 + seed);
    }
    Path file = dir.resolve(name);
    Files.write(file, content);
    return new FileEntry(name, bytes, DatasetDirectory.crc32c(file));
  }

  @Test
  void copiesOnceVerifiesAndEvictsTheLeastRecentlyUsed() throws IOException {
    Path remoteDir = Files.createDirectories(temp.resolve("remote"));
    DatasetDirectory remote = DatasetDirectory.of(TestRemoteFileSystem.uri(remoteDir));
    assertTrue(remote.isRemote());
    FileEntry a = file(remoteDir, "a.vec", 1000, 1);
    FileEntry b = file(remoteDir, "b.vec", 1000, 2);
    FileEntry c = file(remoteDir, "c.vec", 1000, 3);
    ShardCache cache = new ShardCache(Files.createDirectories(temp.resolve("cache")), 2500);

    Path localA = cache.fetch(remote, a);
    assertEquals(-1, Files.mismatch(localA, remoteDir.resolve("a.vec")));
    assertEquals(localA, cache.fetch(remote, a));
    assertEquals(1, cache.fetches());
    Path localB = cache.fetch(remote, b);
    cache.fetch(remote, a); // a is now more recent than b
    Path localC = cache.fetch(remote, c);
    assertEquals(3, cache.fetches());
    assertEquals(2000, cache.bytes());
    assertFalse(Files.exists(localB), "b was the least recently used");
    assertTrue(Files.exists(localA) && Files.exists(localC));
    cache.fetch(remote, b);
    assertEquals(4, cache.fetches());
    assertEquals(2000, cache.bytes());
  }

  @Test
  void aCopyThatDiffersFromTheManifestIsRejectedNamingTheRemoteFile() throws IOException {
    Path remoteDir = Files.createDirectories(temp.resolve("remote"));
    DatasetDirectory remote = DatasetDirectory.of(TestRemoteFileSystem.uri(remoteDir));
    FileEntry a = file(remoteDir, "a.vec", 100, 1);
    ShardCache cache = new ShardCache(Files.createDirectories(temp.resolve("cache")), 1 << 20);
    FileEntry wrongCrc = new FileEntry("a.vec", 100, a.crc32c() ^ 1);
    String crc = assertThrows(IOException.class, () -> cache.fetch(remote, wrongCrc)).getMessage();
    assertTrue(
        crc.startsWith(remote.location("a.vec") + ": CRC32C differs from the manifest"), crc);
    FileEntry wrongSize = new FileEntry("a.vec", 99, a.crc32c());
    String size =
        assertThrows(IOException.class, () -> cache.fetch(remote, wrongSize)).getMessage();
    assertTrue(size.contains("expected 99 bytes, found 100"), size);
    FileEntry missing = new FileEntry("b.vec", 1, 0);
    String gone = assertThrows(IOException.class, () -> cache.fetch(remote, missing)).getMessage();
    assertTrue(gone.startsWith(remote.location("b.vec") + ": shard file listed"), gone);
    try (var left = Files.list(cache.root())) {
      assertEquals(0, left.count(), "nothing half-copied is left in the cache");
    }
  }
}
