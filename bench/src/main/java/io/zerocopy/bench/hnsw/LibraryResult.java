package io.zerocopy.bench.hnsw;

import java.util.List;

/** What the harness measured for one library on one data set; {@code error} when it failed. */
record LibraryResult(
    String name,
    String version,
    String layout,
    double buildSeconds,
    MemoryProbe.Snapshot before,
    MemoryProbe.Snapshot atSearch,
    List<Sweep.Point> sweep,
    String error) {

  /** Heap the index holds at search time: used after GC minus used after GC before the build. */
  long heapBytes() {
    return atSearch.heapUsed() - before.heapUsed();
  }

  boolean failed() {
    return error != null;
  }
}
