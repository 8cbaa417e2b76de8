package io.zerocopy.engine.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The bitset with its touched-word list answers as a hash set does, across resets and growth. */
class VisitedSetTest {

  @Test
  void visitEqualsAHashSetOverManySearches() {
    SplittableRandom random = new SplittableRandom(7);
    VisitedSet visited = new VisitedSet();
    int nodes = 1;
    for (int search = 0; search < 2_000; search++) {
      if (random.nextInt(10) == 0) {
        nodes = 1 + random.nextInt(random.nextBoolean() ? 200 : 50_000); // shrink and grow
      }
      visited.reset(nodes);
      Set<Integer> reference = new HashSet<>();
      // from a few visits (cleared word by word) to more than the whole graph (cleared at once)
      int visits = random.nextInt(random.nextBoolean() ? 20 : 2 * nodes + 1);
      for (int i = 0; i < visits; i++) {
        int node = random.nextInt(nodes);
        assertEquals(
            reference.add(node), visited.visit(node), "search " + search + " node " + node);
      }
    }
  }
}
