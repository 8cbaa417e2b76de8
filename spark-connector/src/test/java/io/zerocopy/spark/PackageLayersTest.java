package io.zerocopy.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering of DESIGN.md, checked on the sources: a package uses only packages of lower layers
 * (imports and fully qualified names in code; comments do not count), so there is no cycle, and the
 * engine uses nothing but the JDK. Packages of one layer do not use each other.
 */
class PackageLayersTest {

  /** Lowest first. Every production package must be listed, so that a new one gets a place. */
  private static final Map<String, Integer> CONNECTOR =
      Map.of(
          "io.zerocopy.spark.options", 1,
          "io.zerocopy.spark.dataset", 2,
          "io.zerocopy.spark.index", 3,
          "io.zerocopy.spark.source.read", 4,
          "io.zerocopy.spark.source.write", 4,
          "io.zerocopy.spark.source", 5,
          "io.zerocopy.spark.join", 6,
          "io.zerocopy.spark.python", 6,
          "io.zerocopy.spark", 7);

  private static final Map<String, Integer> ENGINE =
      Map.of(
          "io.zerocopy.engine.store", 1,
          "io.zerocopy.engine.distance", 1,
          "io.zerocopy.engine.search", 1,
          "io.zerocopy.engine.cluster", 2,
          "io.zerocopy.engine.codes", 3,
          "io.zerocopy.engine.exact", 4,
          "io.zerocopy.engine.hnsw", 4);

  private static final Pattern REFERENCE =
      Pattern.compile("\\b(io\\.zerocopy(?:\\.[a-z][a-z0-9]*)+)\\.[A-Z*]");
  private static final Pattern IMPORT =
      Pattern.compile("^import\\s+(?:static\\s+)?([a-zA-Z0-9_.]+)\\s*;", Pattern.MULTILINE);
  private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

  @Test
  void connectorPackagesDependOnlyDownhill() throws IOException {
    List<String> violations = new ArrayList<>();
    Map<String, Integer> all = new java.util.HashMap<>(CONNECTOR);
    ENGINE.keySet().forEach(p -> all.put(p, 0));
    for (Path file : sources(Path.of("src/main/java"))) {
      check(file, all, violations);
    }
    assertEquals(List.of(), violations);
  }

  @Test
  void enginePackagesDependOnlyDownhillAndOnTheJdk() throws IOException {
    List<String> violations = new ArrayList<>();
    for (Path file : sources(Path.of("../engine/src/main/java"))) {
      check(file, ENGINE, violations);
      for (String imported : matches(IMPORT, code(file))) {
        boolean jdk =
            imported.startsWith("java.")
                || imported.startsWith("jdk.incubator.vector")
                || imported.startsWith("io.zerocopy.engine.");
        if (!jdk) {
          violations.add(file + " imports " + imported + ": the engine uses only the JDK");
        }
      }
    }
    assertEquals(List.of(), violations);
  }

  private static void check(Path file, Map<String, Integer> layers, List<String> violations)
      throws IOException {
    String code = code(file);
    Matcher declared =
        Pattern.compile("^package\\s+([a-z0-9.]+)\\s*;", Pattern.MULTILINE).matcher(code);
    assertTrue(declared.find(), file + ": no package declaration");
    String own = declared.group(1);
    Integer ownLayer = layers.get(own);
    if (ownLayer == null) {
      violations.add(file + ": package " + own + " has no layer in PackageLayersTest");
      return;
    }
    for (String used : new TreeSet<>(matches(REFERENCE, code))) {
      if (used.equals(own)) {
        continue;
      }
      Integer usedLayer = layers.get(used);
      if (usedLayer == null || usedLayer >= ownLayer) {
        violations.add(
            file.getFileName()
                + ": "
                + own
                + " (layer "
                + ownLayer
                + ") uses "
                + used
                + " (layer "
                + usedLayer
                + ")");
      }
    }
  }

  private static List<String> matches(Pattern pattern, String code) {
    List<String> found = new ArrayList<>();
    Matcher m = pattern.matcher(code);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  /** The source without comments (javadoc may link anywhere). */
  private static String code(Path file) throws IOException {
    return COMMENT.matcher(Files.readString(file)).replaceAll(" ");
  }

  private static List<Path> sources(Path root) throws IOException {
    assertTrue(Files.isDirectory(root), root.toAbsolutePath() + " is missing");
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !p.getFileName().toString().equals("package-info.java"))
          .sorted()
          .collect(Collectors.toList());
    }
  }
}
