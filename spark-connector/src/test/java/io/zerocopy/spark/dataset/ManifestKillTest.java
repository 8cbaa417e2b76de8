package io.zerocopy.spark.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writers killed with SIGKILL at random moments while they commit (between writing a version and
 * deleting what it retired included): after every kill the newest version is whole and is the last
 * acknowledged commit or the one begun, every file it lists exists, versions run 1..newest with no
 * gap, and the next writer goes on from it. {@code -Dzcs.crash.iterations=N} sets the kills.
 */
class ManifestKillTest {

  private static final int KILLS = Integer.getInteger("zcs.crash.iterations", 12);

  @TempDir Path dir;

  @ParameterizedTest(name = "remote={0}")
  @ValueSource(booleans = {false, true})
  void killedCommitsLoseNothingAndLeaveNothingHalfVisible(boolean remote) throws Exception {
    Random random = new Random(Long.getLong("zcs.crash.seed", System.nanoTime()));
    String location = remote ? TestRemoteFileSystem.uri(dir) : dir.toString();
    DatasetDirectory directory = DatasetDirectory.of(location);
    int commits = 0;
    int landedUnacknowledged = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      ManifestVersion before = directory.readVersion().orElse(null);
      List<String> lines = runAndKill(location, 100 + random.nextInt(400));
      long acknowledged = before == null ? 0 : before.version();
      int acknowledgedShards = before == null ? 0 : before.manifest().shards().size();
      int begun = -1;
      for (String line : lines) {
        String[] parts = line.split(" ");
        if (parts[0].equals("begin") && parts.length == 2) {
          begun = Integer.parseInt(parts[1]);
        } else if (parts[0].equals("committed") && parts.length == 3) {
          acknowledged = Long.parseLong(parts[1]);
          acknowledgedShards = Integer.parseInt(parts[2]);
          begun = -1;
          commits++;
        }
      }
      ManifestVersion newest = directory.readVersion().orElse(null);
      if (newest == null) {
        assertEquals(0, acknowledged, "an acknowledged commit vanished");
        continue;
      }
      int shards = newest.manifest().shards().size();
      if (newest.version() == acknowledged) {
        assertEquals(acknowledgedShards, shards, "the last acknowledged commit");
      } else {
        assertEquals(acknowledged + 1, newest.version(), "versions after kill " + kill);
        assertTrue(begun != -1, "a version nobody began");
        assertEquals(begun, shards, "the begun commit, whole");
        landedUnacknowledged++; // killed after its version was created, before it returned
      }
      for (ShardEntry shard : newest.manifest().shards()) {
        for (String file : shard.files()) {
          assertTrue(Files.exists(dir.resolve(file)), file + " listed by the newest version");
        }
      }
      List<Long> versions =
          directory.listVersions().stream().map(DatasetDirectory.VersionFile::version).toList();
      assertEquals(newest.version(), (long) versions.get(versions.size() - 1));
      for (int i = 1; i < versions.size(); i++) {
        assertEquals(versions.get(i - 1) + 1, (long) versions.get(i), "a gap in " + versions);
      }
    }
    System.out.printf(
        "%s: %d kills, %d commits acknowledged, %d kills after a version was created and before"
            + " its commit returned%n",
        location, KILLS, commits, landedUnacknowledged);
    assertTrue(commits > KILLS, "the children committed only " + commits + " times");
  }

  private List<String> runAndKill(String location, long millis) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                javaBin,
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-D" + RetiredFiles.RETENTION_CONF + "=0",
                "-cp",
                System.getProperty("java.class.path"),
                ManifestKillChild.class.getName(),
                location,
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String first = out.readLine();
      assertEquals("ready", first, "the child did not start");
      Thread killer =
          new Thread(
              () -> {
                try {
                  Thread.sleep(millis);
                } catch (InterruptedException e) {
                  return;
                }
                // SIGKILL from outside: Process.destroyForcibly would also close our end of the
                // pipe, losing lines the child printed just before it died
                try {
                  new ProcessBuilder("kill", "-KILL", Long.toString(child.pid())).start().waitFor();
                } catch (Exception e) {
                  child.destroyForcibly();
                }
              });
      killer.start();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        lines.add(line);
      }
      killer.join();
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    return lines;
  }
}
