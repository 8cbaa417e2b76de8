package io.zerocopy.spark.source.write;

import io.zerocopy.spark.dataset.DatasetDirectory;
import io.zerocopy.spark.dataset.IdType;
import io.zerocopy.spark.dataset.IdsFile;
import io.zerocopy.spark.dataset.ShardEntry;
import io.zerocopy.spark.dataset.ShardMismatchException;
import io.zerocopy.spark.dataset.VecManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.spark.sql.types.StructType;

/**
 * Finds an id that occurs twice among shards, reading only the id column of their {@code
 * .ids.arrow} files on the driver. Memory: one hash-set entry per id (about 16 bytes for long and
 * int ids at the worst load factor), the price of reporting duplicates at commit.
 */
final class DuplicateIdCheck {

  private DuplicateIdCheck() {}

  /** Throws naming a duplicate id and the shards that hold it, if any. */
  static void check(
      DatasetDirectory directory, IdType type, String idColumn, List<ShardEntry> shards)
      throws IOException {
    LongSet numeric = type == IdType.STRING ? null : new LongSet();
    Map<String, String> strings = type == IdType.STRING ? new HashMap<>() : null;
    StructType idOnly = new StructType().add(VecManifest.ID, type.sparkType(), false);
    for (ShardEntry shard : shards) {
      Path file = directory.localFile(shard.ids(), false);
      // shards of an existing dataset are read too: IdsFile checks them like any reader
      try (IdsFile in = IdsFile.open(file, shard, idOnly)) {
        long own = shard.rows(); // the boundary replicas after them repeat other shards' ids
        for (int batch = 0; batch < in.batches() && own > 0; batch++) {
          FieldVector ids = in.load(batch).getVector(VecManifest.ID);
          int rows = (int) Math.min(ids.getValueCount(), own);
          own -= rows;
          for (int i = 0; i < rows; i++) {
            if (ids instanceof VarCharVector text) {
              String id = new String(text.get(i), StandardCharsets.UTF_8);
              String previous = strings.putIfAbsent(id, shard.name());
              if (previous != null) {
                throw duplicate(idColumn, "\"" + id + "\"", previous, shard.name());
              }
            } else if (ids instanceof BigIntVector || ids instanceof IntVector) {
              long id = ids instanceof BigIntVector longs ? longs.get(i) : ((IntVector) ids).get(i);
              if (!numeric.add(id)) {
                throw duplicate(idColumn, Long.toString(id), null, shard.name());
              }
            } else {
              throw new ShardMismatchException(
                  file + ": id column is an Arrow " + ids.getMinorType() + " vector");
            }
          }
        }
      }
    }
  }

  private static IllegalArgumentException duplicate(
      String column, String id, String firstShard, String secondShard) {
    return new IllegalArgumentException(
        "id column '"
            + column
            + "': duplicate id "
            + id
            + (firstShard == null
                ? " (found again in shard " + secondShard + ")"
                : " (in shards " + firstShard + " and " + secondShard + ")")
            + ": ids of a vec dataset must be unique; nothing was committed");
  }

  /** Open-addressing set of longs; no boxing. */
  static final class LongSet {
    private static final long EMPTY = Long.MIN_VALUE;
    private long[] table = new long[1 << 10];
    private boolean hasEmptyKey;
    private int size;

    LongSet() {
      java.util.Arrays.fill(table, EMPTY);
    }

    /** Adds {@code value}; false if it was present. */
    boolean add(long value) {
      if (value == EMPTY) {
        if (hasEmptyKey) {
          return false;
        }
        hasEmptyKey = true;
        return true;
      }
      if (size * 2 >= table.length) {
        grow();
      }
      if (!insert(table, value)) {
        return false;
      }
      size++;
      return true;
    }

    private static boolean insert(long[] table, long value) {
      int mask = table.length - 1;
      int slot = (int) (mix(value) & mask);
      while (table[slot] != EMPTY) {
        if (table[slot] == value) {
          return false;
        }
        slot = (slot + 1) & mask;
      }
      table[slot] = value;
      return true;
    }

    private void grow() {
      long[] bigger = new long[table.length * 2];
      java.util.Arrays.fill(bigger, EMPTY);
      for (long value : table) {
        if (value != EMPTY) {
          insert(bigger, value);
        }
      }
      table = bigger;
    }

    private static long mix(long value) {
      long h = value * 0x9E3779B97F4A7C15L;
      return h ^ (h >>> 32);
    }
  }
}
