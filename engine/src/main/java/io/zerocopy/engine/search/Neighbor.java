package io.zerocopy.engine.search;

import java.util.Comparator;

/** One search result: a vector id and its distance to the query (smaller is closer). */
public record Neighbor(long id, float distance) implements Comparable<Neighbor> {

  /** Ascending distance, ties broken by the smaller id: the order of every result list. */
  public static final Comparator<Neighbor> ORDER =
      Comparator.comparingDouble(Neighbor::distance).thenComparingLong(Neighbor::id);

  @Override
  public int compareTo(Neighbor other) {
    return ORDER.compare(this, other);
  }
}
