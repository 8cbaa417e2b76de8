package io.zerocopy.spark.dataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The child of {@link ManifestKillTest}: commits in a loop until it is killed — appends of one
 * shard, and every fifth commit an overwrite that retires every earlier shard (deleted at once: the
 * retention is 0). Each shard's file is written before its commit. Prints {@code ready}, then
 * {@code begin <shards>} before each commit and {@code committed <version> <shards>} after it.
 *
 * <p>Arguments: the dataset location (a path or a {@code testfs:} URI) and the local directory.
 */
public final class ManifestKillChild {

  private ManifestKillChild() {}

  public static void main(String[] args) throws Exception {
    DatasetDirectory directory = DatasetDirectory.of(args[0]);
    Path local = Path.of(args[1]);
    Files.createDirectories(local);
    // load what a commit needs before the parent's clock starts
    directory.readVersion();
    RetiredFiles.retentionMillis();
    System.out.println("ready");
    System.out.flush();
    for (int i = 0; ; i++) {
      String name = "part-" + UUID.randomUUID();
      ShardEntry shard =
          new ShardEntry(
              name,
              1,
              4096,
              new FileEntry(name + ".vec", 1, 0),
              new FileEntry(name + ".ids.arrow", 1, 0),
              null);
      for (String file : shard.files()) {
        Files.write(local.resolve(file), new byte[] {1});
      }
      boolean overwrite = i % 5 == 4;
      var newest = directory.readVersion();
      int shards = overwrite ? 1 : 1 + newest.map(v -> v.manifest().shards().size()).orElse(0);
      System.out.println("begin " + shards);
      System.out.flush();
      ManifestCommit.Committed committed =
          ManifestCommit.commit(
              directory,
              "child commit " + i,
              now -> {
                List<ShardEntry> list = new ArrayList<>();
                if (!overwrite) {
                  now.ifPresent(v -> list.addAll(v.manifest().shards()));
                }
                list.add(shard);
                VecManifest base =
                    now.map(ManifestVersion::manifest).orElse(VecManifestTest.sample());
                return base.withShards(name, 3, list);
              });
      System.out.println(
          "committed " + committed.version() + " " + committed.manifest().shards().size());
      System.out.flush();
    }
  }
}
