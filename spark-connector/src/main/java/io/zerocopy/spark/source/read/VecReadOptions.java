package io.zerocopy.spark.source.read;

import io.zerocopy.spark.options.OptionParsing;
import java.io.Serializable;
import java.util.Set;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The options of {@code spark.read.format("vec")}: {@code path}; {@code rowsPerPartition} (default
 * 1,048,576), the most rows one input partition reads, rounded up to whole Arrow batches, so large
 * shards are split; {@code verifyChecksums} (default false), which makes every reader check the
 * CRC32C of its shard's files against the manifest before reading (sizes are always checked).
 */
public record VecReadOptions(String path, long rowsPerPartition, boolean verifyChecksums)
    implements Serializable {

  public static final String PATH = "path";
  public static final String ROWS_PER_PARTITION = "rowsPerPartition";
  public static final String VERIFY_CHECKSUMS = "verifyChecksums";

  public static final Set<String> KEYS =
      Set.of(PATH, "paths", ROWS_PER_PARTITION, VERIFY_CHECKSUMS);

  public static VecReadOptions from(CaseInsensitiveStringMap options) {
    OptionParsing.rejectUnknown(options, KEYS, "vec read");
    return new VecReadOptions(
        options.get(PATH),
        OptionParsing.longOption(options, ROWS_PER_PARTITION, 1L << 20, 1),
        OptionParsing.booleanOption(options, VERIFY_CHECKSUMS, false));
  }
}
