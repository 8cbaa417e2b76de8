package io.zerocopy.bench.hnsw;

import io.zerocopy.engine.distance.Metric;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The HNSW libraries outside the JVM (hnswlib's C++, faiss), run by {@code
 * bench/python/native_peers.py} in a Python process of their own, one process per library so that
 * each RSS is its own. They read the same {@code .vec} files and score recall against the exact
 * neighbours this JVM computed, written to {@code <out>/<slug>-truth.ivecs}.
 *
 * <p>OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the child's environment only: some
 * machines set them for old OpenBLAS builds, and they slow a current one (the env notes).
 */
final class NativePeers {

  static final Set<String> NAMES = Set.of("hnswlib", "faiss-hnsw");

  private NativePeers() {}

  static LibraryResult run(
      String name,
      HnswComparison.Options o,
      Path train,
      Metric metric,
      Path truthFile,
      int queryCount,
      HnswLibrary.BuildParameters parameters)
      throws IOException, InterruptedException {
    Path csv = o.out.resolve(o.slug + "-" + name + ".csv");
    Path log = o.out.resolve(o.slug + "-" + name + ".log");
    Files.deleteIfExists(csv);
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            o.python,
            o.nativeScript.toString(),
            "--library",
            name,
            "--train",
            train.toString(),
            "--queries",
            o.queries.toString(),
            "--query-count",
            Integer.toString(queryCount),
            "--truth",
            truthFile.toString(),
            "--metric",
            metric.id(),
            "--ef",
            joined(o.ef),
            "--m",
            Integer.toString(parameters.m()),
            "--ef-construction",
            Integer.toString(parameters.efConstruction()),
            "--threads",
            Integer.toString(parameters.threads()),
            "--k",
            Integer.toString(o.k),
            "--passes",
            Integer.toString(o.passes),
            "--csv",
            csv.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.remove("OPENBLAS_CORETYPE");
    env.remove("OPENBLAS_L2_SIZE");
    HnswComparison.log("%s: %s", name, String.join(" ", command));
    int exit = builder.start().waitFor();
    String output = Files.readString(log, StandardCharsets.UTF_8);
    System.err.print(output);
    if (exit != 0 || !Files.isRegularFile(csv)) {
      throw new IOException(
          name + ": " + o.nativeScript + " exited with " + exit + " (output in " + log + ")");
    }
    return parse(name, csv);
  }

  /** One library's rows of the script's CSV, as the harness's result. */
  static LibraryResult parse(String name, Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    List<Sweep.Point> sweep = new ArrayList<>();
    String version = "?";
    String layout = "";
    String notes = "";
    double buildSeconds = Double.NaN;
    MemoryProbe.Snapshot atSearch = new MemoryProbe.Snapshot(0, 0, -1, -1, -1);
    for (String line : lines.subList(1, lines.size())) {
      List<String> f = Csv.fields(line);
      if (f.size() != 11 || !f.get(0).equals(name)) {
        throw new IOException(csv + ": expected 11 fields for " + name + ", got: " + line);
      }
      version = f.get(1);
      layout = f.get(2);
      notes = f.get(3);
      buildSeconds = Double.parseDouble(f.get(4));
      atSearch = new MemoryProbe.Snapshot(0, 0, mib(f.get(5)), mib(f.get(6)), mib(f.get(7)));
      sweep.add(
          new Sweep.Point(
              Integer.parseInt(f.get(8)),
              Double.parseDouble(f.get(9)),
              Double.parseDouble(f.get(10))));
    }
    if (sweep.isEmpty()) {
      throw new IOException(csv + ": no rows for " + name);
    }
    MemoryProbe.Snapshot none = new MemoryProbe.Snapshot(0, 0, -1, -1, -1);
    return new LibraryResult(
        name, version, layout, buildSeconds, none, atSearch, sweep, null, notes);
  }

  private static long mib(String field) {
    return (long) (Double.parseDouble(field) * 1024 * 1024);
  }

  private static String joined(int[] values) {
    return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(","));
  }

  /** The fields of one line of RFC 4180 CSV as Python's csv module writes it. */
  static final class Csv {
    private Csv() {}

    static List<String> fields(String line) {
      List<String> out = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (quoted) {
          if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else if (c == '"') {
            quoted = false;
          } else {
            field.append(c);
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == ',') {
          out.add(field.toString());
          field.setLength(0);
        } else {
          field.append(c);
        }
      }
      out.add(field.toString());
      return out;
    }
  }
}
