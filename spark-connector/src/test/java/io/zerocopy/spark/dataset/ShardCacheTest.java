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
  void aShardsFilesAreKeptTogetherWhenTheyDoNotFitAndSizesDoNotDrift() throws IOException {
    Path remoteDir = Files.createDirectories(temp.resolve("remote"));
    DatasetDirectory remote = DatasetDirectory.of(TestRemoteFileSystem.uri(remoteDir));
    FileEntry vec = file(remoteDir, "part-00000-w-0.vec", 1000, 1);
    FileEntry hnsw = file(remoteDir, "part-00000-w-0-build-1.hnsw", 800, 2);
    FileEntry other = file(remoteDir, "part-00001-w-1.vec", 1000, 3);
    ShardCache cache = new ShardCache(Files.createDirectories(temp.resolve("cache")), 1500);
    Path otherLocal = cache.fetch(remote, other);
    Path vecLocal = cache.fetch(remote, vec); // other shard evicted
    Path hnswLocal = cache.fetch(remote, hnsw); // over the bound, but the .vec is its shard's
    assertTrue(Files.exists(vecLocal) && Files.exists(hnswLocal), "the shard opens whole");
    assertFalse(Files.exists(otherLocal));
    assertEquals(1800, cache.bytes());
    // a cached file removed behind the cache's back is fetched again, and counted once
    Files.delete(vecLocal);
    cache.fetch(remote, vec);
    assertEquals(1800, cache.bytes());
    // a later shard evicts this one again: the bound holds once nothing of it is in use
    cache.fetch(remote, other);
    assertEquals(1000, cache.bytes());
  }

  @Test
  void aPinnedFileIsNotEvictedUntilItIsClosed() throws IOException {
    Path remoteDir = Files.createDirectories(temp.resolve("remote"));
    DatasetDirectory remote = DatasetDirectory.of(TestRemoteFileSystem.uri(remoteDir));
    FileEntry a = file(remoteDir, "part-a.vec", 1000, 1);
    FileEntry b = file(remoteDir, "part-b.vec", 1000, 2);
    FileEntry c = file(remoteDir, "part-c.vec", 1000, 3);
    ShardCache cache = new ShardCache(Files.createDirectories(temp.resolve("cache")), 1500);
    PinnedFile pinned = cache.fetchPinned(remote, a);
    PinnedFile again = cache.fetchPinned(remote, a); // two users of one copy
    cache.fetch(remote, b);
    Path localC = cache.fetch(remote, c); // evicts b, not the pinned a
    assertTrue(Files.exists(pinned.path()));
    assertEquals(2000, cache.bytes(), "over the bound while a is pinned");
    assertEquals(1, cache.pinnedFiles());
    pinned.close();
    pinned.close(); // idempotent: one release per pin
    assertTrue(Files.exists(again.path()), "still pinned by its other user");
    again.close();
    assertEquals(0, cache.pinnedFiles());
    assertFalse(Files.exists(again.path()), "evicted once released: the cache is back in bound");
    assertTrue(Files.exists(localC));
    assertEquals(1000, cache.bytes());
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
