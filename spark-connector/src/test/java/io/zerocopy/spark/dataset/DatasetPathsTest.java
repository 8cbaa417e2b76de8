package io.zerocopy.spark.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zerocopy.spark.source.write.ShardFixture;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dataset reads, writes and deletes only inside its own directory, whatever its manifest says.
 */
class DatasetPathsTest {

  private static final String OUTSIDE = "a dataset may only name files inside its own directory";

  @TempDir Path temp;

  @Test
  void acceptsPlainNamesOnly() {
    assertEquals("part-00000-w-1.vec", DatasetPaths.checkName("part-00000-w-1.vec", "m"));
    assertEquals(".part.tmp", DatasetPaths.checkName(".part.tmp", "m"));
    for (String bad :
        new String[] {
          "", ".", "..", "../x.vec", "/etc/passwd", "a/b", "..\\x", "c:x.vec", "s3a:x", "a\u0000b"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> DatasetPaths.checkName(bad, "m.json"));
      assertTrue(e.getMessage().startsWith("m.json: file name '" + bad + "'"), e.getMessage());
      assertTrue(e.getMessage().contains(OUTSIDE), e.getMessage());
    }
  }

  @Test
  void manifestNamingAFileOutsideIsRejectedWhenRead() throws IOException {
    Path dataset = Files.createDirectories(temp.resolve("ds"));
    String json = VecManifestTest.sample().toJson();
    Path manifest = dataset.resolve(DatasetDirectory.MANIFEST);
    DatasetDirectory directory = DatasetDirectory.of(dataset.toString());
    String[][] cases = {
      {"\"part-00000-w-1.vec\"", "\"..\"", "'..'"},
      {"\"part-00000-w-1.ids.arrow\"", "\"/etc/passwd\"", "'/etc/passwd'"},
      {"\"name\" : \"part-00000-w-1\"", "\"name\" : \"../../tmp/x\"", "'../../tmp/x'"},
    };
    for (String[] c : cases) {
      assertTrue(json.contains(c[0]), c[0]);
      Files.writeString(manifest, json.replace(c[0], c[1]));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, directory::readManifest);
      assertTrue(e.getMessage().startsWith(manifest.toString()), e.getMessage());
      assertTrue(e.getMessage().contains(c[2]), e.getMessage());
    }
    Files.writeString(manifest, json);
    assertEquals(VecManifestTest.sample(), directory.readManifest().orElseThrow());
  }

  @Test
  void symbolicLinksOutOfTheDirectoryAreRejected() throws IOException {
    Path dataset = Files.createDirectories(temp.resolve("ds"));
    Path secret = Files.writeString(temp.resolve("secret.txt"), "not yours");
    ShardEntry shard = ShardFixture.write(dataset, 4, 2, 4);
    DatasetDirectory directory = DatasetDirectory.of(dataset.toString());
    // a link inside the directory is fine
    Path inside =
        Files.createSymbolicLink(dataset.resolve("alias.vec"), dataset.resolve(shard.vec().file()));
    assertEquals(inside, directory.resolve("alias.vec"));

    Files.delete(dataset.resolve(shard.vec().file()));
    Files.createSymbolicLink(dataset.resolve(shard.vec().file()), secret);
    IllegalArgumentException read =
        assertThrows(IllegalArgumentException.class, () -> directory.localFile(shard.vec(), true));
    assertTrue(
        read.getMessage()
            .startsWith(
                dataset.resolve(shard.vec().file()) + ": is a link to " + secret.toRealPath()),
        read.getMessage());
    assertTrue(read.getMessage().contains(OUTSIDE), read.getMessage());

    Files.createSymbolicLink(dataset.resolve("dangling.hnsw"), temp.resolve("missing"));
    assertThrows(IllegalArgumentException.class, () -> directory.resolve("dangling.hnsw"));

    // the manifest itself: a link to a file outside is never parsed (its content never shows)
    Files.createSymbolicLink(dataset.resolve(DatasetDirectory.MANIFEST), secret);
    IllegalArgumentException manifest =
        assertThrows(IllegalArgumentException.class, directory::readManifest);
    assertTrue(manifest.getMessage().contains(OUTSIDE), manifest.getMessage());
    assertTrue(!manifest.getMessage().contains("not yours"), manifest.getMessage());
    // deletes do not follow a name out of the directory either
    assertTrue(
        directory.deleteQuietly("../secret.txt").orElseThrow().getMessage().contains(OUTSIDE));
    assertTrue(Files.exists(secret));
  }

  @Test
  void writesCannotBeDirectedOutOfTheDirectory() throws IOException {
    Path dataset = Files.createDirectories(temp.resolve("ds"));
    DatasetDirectory directory = DatasetDirectory.of(dataset.toString());
    Path staging = Files.createDirectories(temp.resolve("staging"));
    // an index build names its file after the shard: a crafted shard name must not escape
    for (String name : List.of("../../evil.hnsw", "/tmp/evil.hnsw", "..")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> directory.stagingFile(staging, name));
      assertTrue(e.getMessage().contains(OUTSIDE), e.getMessage());
    }
    assertEquals(dataset.resolve("part-1.hnsw"), directory.stagingFile(staging, "part-1.hnsw"));
  }

  @Test
  void anOversizedManifestIsRejectedBeforeItIsRead() throws IOException {
    Path dataset = Files.createDirectories(temp.resolve("ds"));
    Path manifest = dataset.resolve(DatasetDirectory.MANIFEST);
    try (RandomAccessFile file = new RandomAccessFile(manifest.toFile(), "rw")) {
      file.setLength(DatasetDirectory.MAX_MANIFEST_BYTES + 1); // sparse: no disk used
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DatasetDirectory.of(dataset.toString()).readManifest());
    assertTrue(e.getMessage().startsWith(manifest.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("more than a manifest may have"), e.getMessage());
  }
}
