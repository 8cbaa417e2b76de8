package io.zerocopy.bench.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReportTest {

  private static final long MB = 1L << 20;

  @Test
  void heapRatiosAreMadeOnlyOfHeapsOfAtLeastOneMegabyte() {
    assertEquals("0.50", Report.heapRatio(50 * MB, 100 * MB));
    assertEquals("2.00", Report.heapRatio(200 * MB, 100 * MB));
    // a heap delta that is noise (it was printed as -2.85 and -0.00)
    assertEquals("≈ 0 (under 1 MB)", Report.heapRatio(-300_000, 100 * MB));
    assertEquals("≈ 0 (under 1 MB)", Report.heapRatio(0, 100 * MB));
    assertEquals("n/a", Report.heapRatio(50 * MB, -1));
    assertEquals("n/a", Report.heapRatio(50 * MB, 100_000));
  }

  @Test
  void rssShowsTheFilePagesMappedIn2MibPagesWhereMeasured() {
    assertEquals(
        "581 (57 + 523; 213)",
        Report.rss(new MemoryProbe.Snapshot(0, 0, 581 * MB, 57 * MB, 523 * MB, 213 * MB)));
    // a peer's own process: no such figure
    assertEquals(
        "553 (299 + 255)",
        Report.rss(new MemoryProbe.Snapshot(0, 0, 553 * MB, 299 * MB, 255 * MB)));
  }
}
