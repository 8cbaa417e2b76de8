package io.zerocopy.bench.hnsw;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Heap used after a full GC, and the process's resident memory from {@code /proc/self/status}; of
 * its mapped files, how much the kernel maps in 2 MiB pages ({@code FilePmdMapped} in {@code
 * /proc/self/smaps_rollup}: page-cache folios of 2 MiB, one TLB entry each), which changes a graph
 * walk's cost per cold vector by 5-10% (walk kernels, RESULTS.md 2026-12-06 18:28).
 */
final class MemoryProbe {

  private MemoryProbe() {}

  /** A snapshot, in bytes; the RSS fields are -1 where {@code /proc} is missing. */
  record Snapshot(
      long heapUsed, long heapCommitted, long rss, long rssAnon, long rssFile, long filePmd) {

    /** Measured elsewhere (another process) or not at all: no file-page figure. */
    Snapshot(long heapUsed, long heapCommitted, long rss, long rssAnon, long rssFile) {
      this(heapUsed, heapCommitted, rss, rssAnon, rssFile, -1);
    }
  }

  static Snapshot afterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long rss = -1;
    long anon = -1;
    long file = -1;
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
      for (String line : lines) {
        if (line.startsWith("VmRSS:")) {
          rss = kib(line);
        } else if (line.startsWith("RssAnon:")) {
          anon = kib(line);
        } else if (line.startsWith("RssFile:")) {
          file = kib(line);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: leave -1
    }
    long filePmd = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
        if (line.startsWith("FilePmdMapped:")) {
          filePmd = kib(line);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or a kernel before 4.14: leave -1
    }
    return new Snapshot(heap.getUsed(), heap.getCommitted(), rss, anon, file, filePmd);
  }

  private static long kib(String line) {
    String[] parts = line.trim().split("\\s+");
    return Long.parseLong(parts[1]) * 1024L;
  }
}
