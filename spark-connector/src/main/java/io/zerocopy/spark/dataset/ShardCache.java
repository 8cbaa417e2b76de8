package io.zerocopy.spark.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This JVM's local copies of remote shard files, so that they can be mapped: each file is copied
 * once (concurrent tasks wait for the first copy), verified against the manifest's size and CRC32C,
 * and kept under Spark's local directory until the cache exceeds {@code
 * spark.zerocopy.cache.maxBytes} (default 10 GiB), when the least recently used files are deleted.
 * A deleted file stays valid for mappings that still use it (POSIX semantics); it is fetched again
 * if needed later. The directory is private to this JVM and deleted when it exits.
 */
public final class ShardCache {

  /** Spark conf: the most bytes of shard copies one executor keeps. */
  public static final String MAX_BYTES_CONF = "spark.zerocopy.cache.maxBytes";

  public static final long DEFAULT_MAX_BYTES = 10L << 30;

  private static final Logger LOG = LoggerFactory.getLogger(ShardCache.class);
  private static volatile ShardCache instance;

  private final Path root;
  private final long maxBytes;
  private final Map<String, Path> entries = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<String, Long> sizes = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final Map<String, Integer> pins = new java.util.HashMap<>();
  private long bytes;
  private long fetches;

  ShardCache(Path root, long maxBytes) {
    this.root = root;
    this.maxBytes = maxBytes;
  }

  /** The cache of this JVM, created under Spark's local directory on first use. */
  public static ShardCache get() {
    ShardCache cache = instance;
    if (cache == null) {
      synchronized (ShardCache.class) {
        if (instance == null) {
          instance = create();
        }
        cache = instance;
      }
    }
    return cache;
  }

  /**
   * Makes {@code cache} this JVM's cache and returns the one it replaces (null if none was made
   * yet): for tests that need a small bound, and put the previous one back after.
   */
  public static ShardCache replace(ShardCache cache) {
    synchronized (ShardCache.class) {
      ShardCache previous = instance;
      instance = cache;
      return previous;
    }
  }

  /** A cache under {@code root} of at most {@code maxBytes}, not installed ({@link #replace}). */
  public static ShardCache at(Path root, long maxBytes) {
    return new ShardCache(root, maxBytes);
  }

  private static ShardCache create() {
    SparkEnv env = SparkEnv.get();
    SparkConf conf = env == null ? new SparkConf() : env.conf();
    long maxBytes = conf.getSizeAsBytes(MAX_BYTES_CONF, Long.toString(DEFAULT_MAX_BYTES));
    String localDir;
    try {
      localDir = org.apache.spark.util.Utils.getLocalDir(conf);
    } catch (RuntimeException e) {
      localDir = System.getProperty("java.io.tmpdir");
    }
    Path root = Paths.get(localDir, "zero-copy-search-cache-" + UUID.randomUUID());
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException(root + ": cannot create the shard cache", e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> DatasetDirectory.deleteTree(root)));
    LOG.info("shard cache at {}, at most {} bytes ({})", root, maxBytes, MAX_BYTES_CONF);
    return new ShardCache(root, maxBytes);
  }

  /** A local copy of a remote shard file, fetched and verified if this JVM has none. */
  public Path fetch(DatasetDirectory directory, FileEntry entry) throws IOException {
    return fetch(directory, entry, false).path();
  }

  /**
   * {@link #fetch}, and the copy is not evicted until the returned file is closed: for files kept
   * mapped or open (a searcher's shard), which eviction would otherwise delete under the mapping,
   * holding their disk blocks until the mapping goes.
   */
  public PinnedFile fetchPinned(DatasetDirectory directory, FileEntry entry) throws IOException {
    return fetch(directory, entry, true);
  }

  private PinnedFile fetch(DatasetDirectory directory, FileEntry entry, boolean pin)
      throws IOException {
    String remote = directory.location(entry.file());
    String key = remote + "#" + entry.bytes() + "#" + entry.crc32cHex();
    Object lock = locks.computeIfAbsent(key, k -> new Object());
    synchronized (lock) {
      synchronized (this) {
        Path cached = entries.get(key);
        if (cached != null && Files.exists(cached)) {
          return pinned(key, cached, pin);
        }
      }
      Path local = copy(directory, entry, remote);
      synchronized (this) {
        entries.put(key, local);
        Long previous = sizes.put(key, entry.bytes());
        if (previous != null) {
          bytes -= previous; // a key whose file vanished: counted once, not twice
        }
        bytes += entry.bytes();
        fetches++;
        PinnedFile result = pinned(key, local, pin);
        evict(key, stem(entry.file()));
        return result;
      }
    }
  }

  private synchronized PinnedFile pinned(String key, Path path, boolean pin) {
    if (!pin) {
      return new PinnedFile(path, null);
    }
    pins.merge(key, 1, Integer::sum);
    return new PinnedFile(path, () -> unpin(key));
  }

  private synchronized void unpin(String key) {
    if (pins.merge(key, -1, Integer::sum) <= 0) {
      pins.remove(key);
      evict(null, null); // pinned files may have held the cache over its bound
    }
  }

  /** Files that cannot be evicted now, each counted once. */
  public synchronized int pinnedFiles() {
    return pins.size();
  }

  private Path copy(DatasetDirectory directory, FileEntry entry, String remote) throws IOException {
    String name = entry.crc32cHex() + "-" + entry.file();
    Path target = root.resolve(name);
    Path temporary = root.resolve("." + name + "." + UUID.randomUUID() + ".tmp");
    long started = System.nanoTime();
    CRC32C crc = new CRC32C();
    long size = 0;
    try (InputStream in = directory.fileSystem().open(directory.remotePath(entry.file()));
        FileChannel out =
            FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      byte[] buffer = new byte[1 << 20];
      int n;
      while ((n = in.read(buffer)) > 0) {
        crc.update(buffer, 0, n);
        ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
        size += n;
      }
    } catch (java.io.FileNotFoundException e) {
      Files.deleteIfExists(temporary);
      throw new ShardMismatchException(
          remote + ": shard file listed in " + "the manifest is missing");
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temporary);
      throw new IOException(remote + ": cannot copy into the shard cache: " + e.getMessage(), e);
    }
    try {
      DatasetDirectory.verify(remote, size, entry, crc.getValue());
      Files.move(temporary, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
    LOG.info(
        "copied {} ({} bytes) into the shard cache in {} ms",
        remote,
        size,
        (System.nanoTime() - started) / 1_000_000);
    return target;
  }

  /**
   * A shard file's name up to its first dot: {@code part-00000-<write>-0} for its {@code .vec} and
   * {@code .ids.arrow}, {@code part-00000-<write>-0-<build>-1} for an index built later.
   */
  private static String stem(String file) {
    int dot = file.indexOf('.');
    return dot < 0 ? file : file.substring(0, dot);
  }

  /**
   * Deletes least recently used files until the cache fits, never a pinned one, the one just
   * fetched ({@code keep}, null after an unpin) nor the other files of its shard: a reader fetches
   * a shard's {@code .vec}, then its {@code .ids.arrow} or {@code .hnsw}, and opens them together,
   * so deleting the first while fetching the second would fail every attempt when a shard does not
   * fit.
   */
  private void evict(String keep, String keepStem) {
    Iterator<Map.Entry<String, Path>> oldest = entries.entrySet().iterator();
    while (bytes > maxBytes && oldest.hasNext()) {
      Map.Entry<String, Path> entry = oldest.next();
      String name = entry.getValue().getFileName().toString();
      String entryStem = stem(name.substring(name.indexOf('-') + 1)); // after "<crc32c>-"
      if (entry.getKey().equals(keep)
          || pins.containsKey(entry.getKey())
          || (keepStem != null
              && (keepStem.startsWith(entryStem) || entryStem.startsWith(keepStem)))) {
        continue;
      }
      oldest.remove();
      bytes -= sizes.remove(entry.getKey());
      try {
        Files.deleteIfExists(entry.getValue());
        LOG.info("evicted {} from the shard cache", entry.getValue().getFileName());
      } catch (IOException e) {
        LOG.warn("cannot delete {} from the shard cache", entry.getValue(), e);
      }
    }
    if (bytes > maxBytes && keep != null) {
      LOG.warn(
          "shard cache holds {} bytes, more than {}={}: the shards open for search ({} files)"
              + " or a single shard are larger than the cache",
          bytes,
          MAX_BYTES_CONF,
          maxBytes,
          pins.size());
    }
  }

  /** Bytes of the files held now. */
  public synchronized long bytes() {
    return bytes;
  }

  /** Files copied since this JVM started (a second request for a cached file copies nothing). */
  public synchronized long fetches() {
    return fetches;
  }

  public Path root() {
    return root;
  }
}
