package io.zerocopy.spark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zerocopy.spark.SparkTestBase;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector on a real multi-process Spark: a child JVM runs {@link ClusterJob} as the driver of
 * {@code local-cluster[2,1,1024]}, whose two executors are separate JVMs launched from a Spark
 * distribution; they get the connector through {@code spark.jars}, map the shards they wrote and
 * build the indexes themselves (their logs say so). The result must equal the same job in local
 * mode, byte for byte (index files) and answer for answer (searches).
 *
 * <p>The distribution comes from {@code -Dzcs.spark.home} (set by {@code scripts/test.sh} to the
 * pyspark 4.2.0 package of {@code .venv}) or {@code SPARK_HOME}. Without one the test is skipped,
 * except under CI ({@code CI} set), where it fails.
 */
class LocalClusterTest extends SparkTestBase {

  @TempDir Path temp;

  /** Runs {@code main} as the driver of local-cluster[2,1,1024]; returns its output. */
  private String runDriver(Class<?> main, Path home, Path jar, Path dir) throws Exception {
    return runDriver(main, "local-cluster[2,1,1024]", home, jar, dir);
  }

  /** Runs {@code main} as the driver of {@code master}; returns its output. */
  private String runDriver(Class<?> main, String master, Path home, Path jar, Path dir)
      throws Exception {
    List<String> command = javaCommand("-Xmx1g", System.getProperty("java.class.path"));
    command.add(main.getName());
    command.add(master);
    command.add(jar.toString());
    command.add(dir.toString());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("SPARK_HOME", home.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.13"); // as bin/load-spark-env.sh does
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().put("SPARK_LOCAL_HOSTNAME", "localhost");
    builder.environment().remove("SPARK_CONF_DIR");
    Path log = temp.resolve(main.getSimpleName() + "-driver.log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    Process driver = builder.start();
    if (!driver.waitFor(8, TimeUnit.MINUTES)) {
      driver.destroyForcibly();
      fail("the local-cluster driver did not finish in 8 minutes; log: " + tail(log));
    }
    assertEquals(0, driver.exitValue(), "local-cluster driver failed:\n" + tail(log));
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  private static String result(String output) {
    Matcher matcher =
        Pattern.compile("=== result begin\n(.*)=== result end", Pattern.DOTALL).matcher(output);
    assertTrue(matcher.find(), "no result in the driver's output:\n" + output);
    return matcher.group(1);
  }

  @Test
  void executorKilledDuringWriteIndexBuildAndJoinChangesNoResult() throws Exception {
    Path home = privateSparkHome(sparkHome(), "faults");
    Path jar = connectorJar(temp.resolve("zero-copy-search-fault.jar"));
    Path dir = Files.createDirectories(temp.resolve("faults"));
    String result = result(runDriver(FaultJob.class, home, jar, dir));
    assertTrue(result.contains("write: same, stray files: ok"), result);
    assertTrue(result.contains("index build: stray files: ok"), result);
    assertTrue(result.contains("index build: same graphs 2"), result);
    assertTrue(result.contains("join: same"), result);
    // each of the three steps lost an executor while its tasks ran
    for (String step : List.of("write pid", "index build pid", "join pid")) {
      assertTrue(
          result.contains(step), "no executor was killed during the " + step + ": " + result);
    }
  }

  @Test
  void speculativeCopiesOfStalledWriteTasksLeaveExactlyTheDataset() throws Exception {
    Path home = privateSparkHome(sparkHome(), "speculation");
    Path jar = connectorJar(temp.resolve("zero-copy-search-speculation.jar"));
    Path dir = Files.createDirectories(temp.resolve("speculation"));
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, loopback(1))) {
      port = socket.getLocalPort();
    }
    List<Process> daemons = new ArrayList<>();
    try {
      // a master and two workers on different loopback addresses: two hosts to Spark, which never
      // runs a speculative copy on the host of the original attempt (local-cluster has one host)
      daemons.add(
          startDaemon(
              home,
              "127.0.0.1",
              "master",
              "org.apache.spark.deploy.master.Master",
              "--host",
              "127.0.0.1",
              "--port",
              String.valueOf(port),
              "--webui-port",
              "0"));
      awaitLine(home.resolve("master.log"), "I have been elected leader");
      for (int worker = 1; worker <= 2; worker++) {
        String host = "127.0.0." + worker;
        daemons.add(
            startDaemon(
                home,
                host,
                "worker-" + worker,
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                host,
                "--cores",
                "2",
                "--memory",
                "1g",
                "--webui-port",
                "0",
                "--work-dir",
                home.resolve("work").toString(),
                "spark://127.0.0.1:" + port));
        awaitLine(home.resolve("worker-" + worker + ".log"), "Successfully registered with master");
      }
      String result =
          result(runDriver(SpeculationJob.class, "spark://127.0.0.1:" + port, home, jar, dir));
      // the attempts and how each ended, for a reader of the build's target/ directory
      Files.writeString(Paths.get("target", "speculation-job-result.txt"), result);
      assertTrue(result.contains("write: same"), result);
      assertTrue(result.contains("stray files: ok"), result);
      Matcher speculative = Pattern.compile("speculative attempts: (\\d+)").matcher(result);
      assertTrue(speculative.find() && Integer.parseInt(speculative.group(1)) >= 2, result);
    } finally {
      for (Process daemon : daemons) {
        daemon.descendants().forEach(ProcessHandle::destroyForcibly);
        daemon.destroyForcibly();
      }
    }
  }

  private static java.net.InetAddress loopback(int last) throws IOException {
    return java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
  }

  /** This JVM's java with the test JVM options ({@code zcs.test.jvmArgs}), up to the class. */
  private static List<String> javaCommand(String heap, String classPath) {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add(heap);
    command.addAll(List.of(System.getProperty("zcs.test.jvmArgs", "").trim().split("\\s+")));
    command.removeIf(String::isEmpty);
    command.add("-cp");
    command.add(classPath);
    return command;
  }

  /** Starts a Spark daemon (master or worker) bound to {@code host}; its log is home/name.log. */
  private static Process startDaemon(
      Path home, String host, String name, String main, String... args) throws IOException {
    List<String> command =
        javaCommand("-Xmx256m", home.resolve("jars").toString() + File.separator + "*");
    command.add(main);
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("SPARK_HOME", home.toString());
    builder.environment().put("SPARK_SCALA_VERSION", "2.13");
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().put("SPARK_LOCAL_IP", host);
    builder.environment().remove("SPARK_CONF_DIR");
    builder.redirectErrorStream(true).redirectOutput(home.resolve(name + ".log").toFile());
    return builder.start();
  }

  private static void awaitLine(Path log, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
        return;
      }
      Thread.sleep(200);
    }
    fail("no '" + text + "' in " + log + " after 90 s:\n" + tail(log));
  }

  @Test
  void executorsInSeparateJvmsWriteAndIndexShardsAsLocalModeDoes() throws Exception {
    Path home = privateSparkHome(sparkHome(), "jobs");
    Path jar = connectorJar(temp.resolve("zero-copy-search-test.jar"));
    Path clusterDir = Files.createDirectories(temp.resolve("cluster"));
    String output = runDriver(ClusterJob.class, home, jar, clusterDir);
    String clusterResult = result(output);

    String localResult = ClusterJob.run(spark(), Files.createDirectories(temp.resolve("local")));
    assertEquals(localResult, clusterResult, "local-cluster and local mode disagree");
    assertTrue(clusterResult.contains("rows " + ClusterJob.COUNT), clusterResult);

    // the executors' own logs: each shard was indexed by an executor JVM, not by the driver
    List<String> built = new ArrayList<>();
    try (Stream<Path> files = Files.walk(home.resolve("work"))) {
      for (Path stderr : files.filter(f -> f.getFileName().toString().equals("stderr")).toList()) {
        for (String line : Files.readAllLines(stderr, StandardCharsets.UTF_8)) {
          if (line.contains("built HNSW index of shard")) {
            built.add(line);
          }
        }
      }
    }
    // 2 shards built in the write job + 2 in buildIndex
    assertEquals(4, built.size(), "index builds in executor logs: " + built);
    for (String line : built) {
      assertTrue(line.matches(".*executor [01]$"), line);
    }
    assertTrue(!output.contains("built HNSW index of shard"), "the driver built an index");
    // the joins searched on the executors: each executor mapped shards for search, the driver none
    String opened = executorLines(home, "for search");
    assertTrue(opened.contains("on executor 0") && opened.contains("on executor 1"), opened);
    assertTrue(!output.contains("for search ("), "the driver searched a shard");
    assertTrue(clusterResult.contains("nearest APPROX ours=true"), clusterResult);
    assertTrue(clusterResult.contains("nearest EXACT ours=true"), clusterResult);
    // the Vector API flag reached the executors through spark.executor.extraJavaOptions
    assertTrue(kernels(home).contains("distance kernel panama"), kernels(home));
  }

  /** The kernel lines of the executors' logs. */
  private static String kernels(Path home) throws IOException {
    return executorLines(home, "distance kernel");
  }

  /** The lines of the executors' logs that contain {@code text}. */
  private static String executorLines(Path home, String text) throws IOException {
    StringBuilder lines = new StringBuilder();
    try (Stream<Path> files = Files.walk(home.resolve("work"))) {
      for (Path stderr : files.filter(f -> f.getFileName().toString().equals("stderr")).toList()) {
        for (String line : Files.readAllLines(stderr, StandardCharsets.UTF_8)) {
          if (line.contains(text)) {
            lines.append(line).append('\n');
          }
        }
      }
    }
    return lines.toString();
  }

  private static Path sparkHome() {
    String configured = System.getProperty("zcs.spark.home", "").trim();
    if (configured.isEmpty() || configured.startsWith("${")) {
      configured = System.getenv().getOrDefault("SPARK_HOME", "").trim();
    }
    Path home = configured.isEmpty() ? null : Paths.get(configured);
    if (home == null || !Files.isDirectory(home.resolve("jars"))) {
      String why =
          "no Spark distribution for the local-cluster test: "
              + (home == null
                  ? "neither -Dzcs.spark.home nor SPARK_HOME is set"
                  : home + " has no jars/")
              + ". scripts/test.sh sets it to the pyspark 4.2.0 package of .venv"
              + " (requirements-test.txt)";
      if (System.getenv("CI") != null) {
        fail(why + " (CI is set, so this fails instead of skipping)");
      }
      Assumptions.abort(why);
    }
    return home;
  }

  /**
   * A SPARK_HOME of our own under target/ that links to the distribution's jars/ and bin/, so the
   * workers' work/ directories (executor logs) land here, not inside the distribution.
   */
  private static Path privateSparkHome(Path distribution, String name) throws IOException {
    Path home =
        Files.createDirectories(
            Paths.get("target", "local-cluster-home-" + name + "-" + ProcessHandle.current().pid())
                .toAbsolutePath());
    for (String sub : List.of("jars", "bin")) {
      Path link = home.resolve(sub);
      if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)
          && Files.exists(distribution.resolve(sub))) {
        Files.createSymbolicLink(link, distribution.resolve(sub).toAbsolutePath());
      }
    }
    return home;
  }

  /**
   * The connector as executors get it through spark.jars: its classes, the engine's, and the test
   * classes the job's map function needs, from this JVM's class path.
   */
  private static Path connectorJar(Path jar) throws IOException {
    List<String> seen = new ArrayList<>();
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        Path path = Paths.get(entry);
        String normalized = path.toAbsolutePath().toString();
        boolean ours =
            normalized.endsWith("spark-connector/target/classes")
                || normalized.endsWith("spark-connector/target/test-classes")
                || normalized.endsWith("engine/target/classes")
                || path.getFileName().toString().startsWith("zero-copy-search-engine");
        if (!ours) {
          continue;
        }
        if (Files.isDirectory(path)) {
          try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
              String name = path.relativize(file).toString().replace(File.separatorChar, '/');
              if (!seen.contains(name) && !name.startsWith("META-INF/")) {
                seen.add(name);
                out.putNextEntry(new JarEntry(name));
                Files.copy(file, out);
                out.closeEntry();
              }
            }
          }
        } else {
          try (JarFile source = new JarFile(path.toFile())) {
            for (JarEntry entryInJar : java.util.Collections.list(source.entries())) {
              String name = entryInJar.getName();
              if (entryInJar.isDirectory() || seen.contains(name) || name.startsWith("META-INF/")) {
                continue;
              }
              seen.add(name);
              out.putNextEntry(new JarEntry(name));
              source.getInputStream(entryInJar).transferTo(out);
              out.closeEntry();
            }
          }
        }
      }
    }
    assertTrue(
        seen.contains("io/zerocopy/engine/hnsw/HnswIndex.class")
            && seen.contains("io/zerocopy/spark/source/VecTableProvider.class"),
        "connector or engine classes not found on the class path");
    return jar;
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
  }
}
