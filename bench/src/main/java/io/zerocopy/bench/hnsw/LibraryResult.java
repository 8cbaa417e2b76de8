package io.zerocopy.bench.hnsw;

import java.util.List;

/**
 * What the harness measured for one library on one data set; {@code error} when it failed; {@code
 * nativeNotes} how a peer outside the JVM was built (null for the JVM's libraries).
 */
record LibraryResult(
    String name,
    String version,
    String layout,
    double buildSeconds,
    MemoryProbe.Snapshot before,
    MemoryProbe.Snapshot atSearch,
    List<Sweep.Point> sweep,
    String error,
    String nativeNotes) {

  /** A result measured in this JVM (not by {@link NativePeers}). */
  LibraryResult(
      String name,
      String version,
      String layout,
      double buildSeconds,
      MemoryProbe.Snapshot before,
      MemoryProbe.Snapshot atSearch,
      List<Sweep.Point> sweep,
      String error) {
    this(name, version, layout, buildSeconds, before, atSearch, sweep, error, null);
  }

  /** Outside the JVM: no heap figure, the RSS is the peer process's own. */
  boolean inJvm() {
    return nativeNotes == null;
  }

  /** Heap the index holds at search time: used after GC minus used after GC before the build. */
  long heapBytes() {
    return atSearch.heapUsed() - before.heapUsed();
  }

  boolean failed() {
    return error != null;
  }
}
