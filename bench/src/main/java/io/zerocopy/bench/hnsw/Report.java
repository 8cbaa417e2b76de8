package io.zerocopy.bench.hnsw;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Markdown tables and CSV files of one data set's comparison. */
final class Report {

  static final double[] TARGETS = {0.90, 0.95, 0.99};
  private static final String OURS = "zero-copy";

  private Report() {}

  static String markdown(String title, String setup, List<LibraryResult> results) {
    StringBuilder md = new StringBuilder();
    md.append("### ").append(title).append("\n\n").append(setup).append("\n\n");
    md.append(
        "| library | version | index held in | build s | heap MB at search | RSS MB (anon + file"
            + "; file in 2 MiB pages)"
            + " | QPS @ recall 0.90 | QPS @ 0.95 | QPS @ 0.99 | best recall@k (ef) |\n");
    md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (LibraryResult r : results) {
      if (r.failed()) {
        md.append("| ")
            .append(r.name())
            .append(" | ")
            .append(r.version())
            .append(" | **failed**: ")
            .append(r.error().replace('|', '/').replace('\n', ' '))
            .append(" | | | | | | | |\n");
        continue;
      }
      md.append("| ").append(r.name()).append(" | ").append(r.version());
      md.append(" | ").append(r.layout());
      md.append(" | ").append(fmt("%.1f", r.buildSeconds()));
      md.append(" | ")
          .append(r.inJvm() ? fmt("%d", Math.round(mb(r.heapBytes()))) : "n/a (own process)");
      md.append(" | ").append(rss(r.atSearch()));
      for (double target : TARGETS) {
        md.append(" | ").append(qps(Sweep.qpsAt(r.sweep(), target)));
      }
      Sweep.Point best =
          r.sweep().stream()
              .max((a, b) -> Double.compare(a.recall(), b.recall()))
              .orElse(new Sweep.Point(0, 0, 0));
      md.append(" | ").append(fmt("%.4f (%d)", best.recall(), best.ef())).append(" |\n");
    }
    // one table per row of ours: the float32 index, and with int8 codes if run
    List<LibraryResult> oursRows =
        results.stream().filter(r -> r.name().startsWith(OURS) && !r.failed()).toList();
    for (LibraryResult ours : oursRows) {
      if (results.size() < 2) {
        break;
      }
      md.append(
          "\n"
              + ours.name()
              + " / peer: QPS at recall 0.95 (> 1: we are faster), build time and heap at search"
              + " (< 1: we are faster / smaller).\n\n");
      md.append("| peer | QPS @ 0.95 ours/peer | build time ours/peer | heap ours/peer |\n");
      md.append("|---|---:|---:|---:|\n");
      Sweep.AtRecall oursQps = Sweep.qpsAt(ours.sweep(), 0.95);
      for (LibraryResult r : results) {
        if (r == ours || r.failed()) {
          continue;
        }
        Sweep.AtRecall peerQps = Sweep.qpsAt(r.sweep(), 0.95);
        String qpsRatio;
        if (oursQps.reached() && peerQps.reached()) {
          qpsRatio = fmt("%.2f", oursQps.qps() / peerQps.qps());
          if (oursQps.lowerBound() || peerQps.lowerBound()) {
            qpsRatio += " (a bound: the smallest ef already exceeds 0.95)";
          }
        } else {
          qpsRatio =
              (oursQps.reached() ? "" : "we ")
                  + (peerQps.reached() ? "" : (oursQps.reached() ? "peer " : "and peer "))
                  + "never reach 0.95";
        }
        md.append("| ")
            .append(r.name())
            .append(" ")
            .append(r.version())
            .append(" | ")
            .append(qpsRatio)
            .append(" | ")
            .append(fmt("%.2f", ours.buildSeconds() / r.buildSeconds()))
            .append(" | ")
            .append(heapRatio(ours.heapBytes(), r.heapBytes()))
            .append(" |\n");
      }
    }
    for (LibraryResult r : results) {
      if (!r.inJvm() && !r.nativeNotes().isEmpty()) {
        md.append("\n- ")
            .append(r.name())
            .append(" ")
            .append(r.version())
            .append(": ")
            .append(r.nativeNotes());
      }
    }
    if (results.stream().anyMatch(r -> !r.inJvm())) {
      md.append(
          "\n- Outside the JVM (own Python process, bench/python/native_peers.py): one call per"
              + " pass over all queries with the library's threads at 1, so the per-query loop runs"
              + " in C++; recall against the same exact neighbours.\n");
    }
    md.append("\n<details><summary>ef sweep (single thread)</summary>\n\n");
    md.append("| library | ef | recall@k | QPS |\n|---|---:|---:|---:|\n");
    for (LibraryResult r : results) {
      for (Sweep.Point p : r.sweep()) {
        md.append(fmt("| %s | %d | %.4f | %.0f |%n", r.name(), p.ef(), p.recall(), p.qps()));
      }
    }
    md.append("\n</details>\n");
    return md.toString();
  }

  static void writeCsv(
      Path summary, Path sweep, String dataset, String jdk, List<LibraryResult> results)
      throws IOException {
    StringBuilder s = new StringBuilder();
    s.append(
        "dataset,jdk,library,version,build_s,heap_mb,rss_mb,rss_anon_mb,rss_file_mb,"
            + "qps_at_0.90,qps_at_0.95,qps_at_0.99,max_recall,error\n");
    StringBuilder w = new StringBuilder("dataset,jdk,library,version,ef,recall,qps\n");
    for (LibraryResult r : results) {
      if (r.failed()) {
        s.append(csv(dataset, jdk, r.name(), r.version()))
            .append(",,,,,,,,,,")
            .append(csv(r.error()))
            .append('\n');
        continue;
      }
      s.append(csv(dataset, jdk, r.name(), r.version()));
      s.append(
          fmt(
              ",%.3f,%.1f,%.1f,%.1f,%.1f",
              r.buildSeconds(),
              mb(r.heapBytes()),
              mb(r.atSearch().rss()),
              mb(r.atSearch().rssAnon()),
              mb(r.atSearch().rssFile())));
      for (double target : TARGETS) {
        Sweep.AtRecall at = Sweep.qpsAt(r.sweep(), target);
        s.append(',')
            .append(at.reached() ? fmt("%s%.1f", at.lowerBound() ? ">=" : "", at.qps()) : "");
      }
      double max = r.sweep().stream().mapToDouble(Sweep.Point::recall).max().orElse(0);
      s.append(fmt(",%.4f,", max)).append('\n');
      for (Sweep.Point p : r.sweep()) {
        w.append(csv(dataset, jdk, r.name(), r.version()))
            .append(fmt(",%d,%.5f,%.1f%n", p.ef(), p.recall(), p.qps()));
      }
    }
    Files.writeString(summary, s);
    Files.writeString(sweep, w);
  }

  /**
   * Ours over the peer's heap at search. A heap under 1 MB shows as 0 in the table: it is a
   * difference of two measurements after GC, noise that can be negative, so no ratio is made of it.
   */
  static String heapRatio(long ours, long peer) {
    long floor = 1L << 20;
    if (peer < floor) {
      return "n/a";
    }
    return ours < floor ? "≈ 0 (under 1 MB)" : fmt("%.2f", (double) ours / peer);
  }

  private static String qps(Sweep.AtRecall at) {
    if (!at.reached()) {
      return "—";
    }
    return (at.lowerBound() ? "≥ " : "") + fmt("%,.0f", at.qps());
  }

  /** RSS MB (anon + file; of the file pages, those mapped in 2 MiB pages where measured). */
  static String rss(MemoryProbe.Snapshot s) {
    String parts = fmt("%.0f (%.0f + %.0f", mb(s.rss()), mb(s.rssAnon()), mb(s.rssFile()));
    return parts + (s.filePmd() < 0 ? ")" : fmt("; %.0f)", mb(s.filePmd())));
  }

  private static double mb(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  private static String csv(String... fields) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        b.append(',');
      }
      String f = fields[i] == null ? "" : fields[i];
      if (f.contains(",") || f.contains("\"") || f.contains("\n")) {
        f = '"' + f.replace("\"", "\"\"").replace('\n', ' ') + '"';
      }
      b.append(f);
    }
    return b.toString();
  }
}
