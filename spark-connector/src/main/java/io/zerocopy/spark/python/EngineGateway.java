package io.zerocopy.spark.python;

import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.hnsw.HnswIndex;
import io.zerocopy.engine.hnsw.HnswParameters;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.engine.store.VectorStoreWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the {@code zero_copy_search} Python package calls through py4j. Bulk data crosses as files
 * or as little-endian byte arrays (one transfer each), never element by element; results come back
 * packed: an int32 count, then int64 ids, then float32 distances.
 */
public final class EngineGateway {

  /** At most this many vectors, and at most {@link #RAW_BATCH_BYTES}, per read of a raw file. */
  private static final int RAW_BATCH_VECTORS = 4096;

  private static final long RAW_BATCH_BYTES = 16L << 20;

  private EngineGateway() {}

  /**
   * Streams a headerless little-endian float32 matrix file ({@code rows × dimension}, written by
   * numpy's {@code tofile}) into a new {@code .vec} at {@code target}, validating every value.
   */
  public static long importRaw(String rawPath, int dimension, String target) throws IOException {
    Path raw = Path.of(rawPath);
    try (FileChannel in = FileChannel.open(raw, StandardOpenOption.READ);
        VectorStoreWriter writer = VectorStoreWriter.create(Path.of(target), dimension)) {
      long bytesPerVector = (long) dimension * Float.BYTES;
      if (in.size() % bytesPerVector != 0) {
        throw new IllegalArgumentException(
            raw + ": " + in.size() + " bytes is not a whole number of " + dimension + "-d vectors");
      }
      // by bytes, not by a fixed count: 4096 vectors of 2^20 floats would be 16 GiB (and wrap int)
      int perBatch =
          (int) Math.max(1, Math.min(RAW_BATCH_VECTORS, RAW_BATCH_BYTES / bytesPerVector));
      ByteBuffer bytes =
          ByteBuffer.allocateDirect(Math.toIntExact(perBatch * bytesPerVector))
              .order(ByteOrder.LITTLE_ENDIAN);
      float[] batch = new float[Math.multiplyExact(perBatch, dimension)];
      while (true) {
        bytes.clear();
        while (bytes.hasRemaining() && in.read(bytes) >= 0) {
          // fill the batch or reach the end
        }
        bytes.flip();
        int vectors = (int) (bytes.remaining() / bytesPerVector);
        if (vectors == 0) {
          break;
        }
        bytes.asFloatBuffer().get(batch, 0, vectors * dimension);
        writer.append(batch, 0, vectors);
      }
      writer.commit();
      return writer.count();
    }
  }

  public static VectorStore openStore(String path) throws IOException {
    return VectorStore.open(Path.of(path));
  }

  /** Vector {@code id} as little-endian float32 bytes. */
  public static byte[] getVector(VectorStore store, long id) {
    return floatsToBytes(store.get(id));
  }

  /** Null {@code m} or {@code efConstruction}: the engine's default; errors use Python's names. */
  public static HnswIndex newIndex(
      VectorStore store, Integer m, Integer efConstruction, String metric) {
    return new HnswIndex(
        store,
        HnswParameters.checkM(m == null ? HnswParameters.DEFAULT_M : m, "m"),
        HnswParameters.checkEfConstruction(
            efConstruction == null ? HnswParameters.DEFAULT_EF_CONSTRUCTION : efConstruction,
            "ef_construction"),
        Metric.parse(metric));
  }

  public static HnswIndex openIndex(String storePath, String indexPath) throws IOException {
    return HnswIndex.open(Path.of(storePath), Path.of(indexPath));
  }

  /** With the codes at {@code codesPath} (int8 or pq): searches walk on them, re-rank exactly. */
  public static HnswIndex openIndex(String storePath, String indexPath, String codesPath)
      throws IOException {
    return HnswIndex.open(Path.of(storePath), Path.of(indexPath), Path.of(codesPath));
  }

  /** Trains and writes int8 codes at {@code codesPath}; the index searches on them from now on. */
  public static void quantize(HnswIndex index, String codesPath) throws IOException {
    index.quantize(Path.of(codesPath));
  }

  /** As {@link #quantize(HnswIndex, String)} with codes of {@code kind}: int8 or pq. */
  public static void quantize(HnswIndex index, String codesPath, String kind) throws IOException {
    index.quantize(Path.of(codesPath), io.zerocopy.engine.codes.QuantizedCodes.Kind.parse(kind));
  }

  public static void build(HnswIndex index, int threads, long seed) {
    index.build(threads, seed);
  }

  public static void save(HnswIndex index, String path) throws IOException {
    index.save(Path.of(path));
  }

  /** {@code allowedBits}: null, or a little-endian bitset of the ids a result may have. */
  /** Null {@code ef}: the engine's default, {@code max(k, 50)}. */
  public static byte[] search(
      HnswIndex index, byte[] query, int k, Integer ef, byte[] allowedBits) {
    float[] vector = bytesToFloats(query, "query");
    ef = HnswParameters.efOrDefault(ef, HnswParameters.checkK(k, "k"), "ef");
    List<Neighbor> result =
        allowedBits == null
            ? index.search(vector, k, ef)
            : index.search(vector, k, ef, BitSet.valueOf(allowedBits));
    return pack(List.of(result));
  }

  /** {@code queries}: {@code count} row-major float32 queries. */
  public static byte[] searchBatch(HnswIndex index, byte[] queries, int count, int k, Integer ef) {
    int beam = HnswParameters.efOrDefault(ef, HnswParameters.checkK(k, "k"), "ef");
    return pack(index.searchBatch(rows(queries, count), k, beam));
  }

  public static byte[] bruteForce(VectorStore store, byte[] query, int k, String metric) {
    return pack(
        List.of(BruteForce.search(store, bytesToFloats(query, "query"), k, Metric.parse(metric))));
  }

  public static byte[] bruteForceBatch(
      VectorStore store, byte[] queries, int count, int k, String metric) {
    return pack(BruteForce.searchBatch(store, rows(queries, count), k, Metric.parse(metric)));
  }

  /** As the seed's calculate_distance; NaN and infinities are rejected, as searches reject them. */
  public static float distance(byte[] a, byte[] b, String metric) {
    float[] left = finite(bytesToFloats(a, "a"), "a");
    float[] right = finite(bytesToFloats(b, "b"), "b");
    return Distance.calculate(left, right, Metric.parse(metric));
  }

  private static float[] finite(float[] vector, String name) {
    for (int i = 0; i < vector.length; i++) {
      if (!Float.isFinite(vector[i])) {
        throw new IllegalArgumentException(
            name + " has a non-finite value " + vector[i] + " at index " + i);
      }
    }
    return vector;
  }

  /** Appends {@code count} row-major float32 vectors to the index and its store. */
  public static long add(HnswIndex index, byte[] vectors, int count) throws IOException {
    return index.add(rows(vectors, count));
  }

  /** The seed's stats keys, with plain Java numbers py4j turns into Python ints and floats. */
  public static Map<String, Object> stats(HnswIndex index) {
    return new LinkedHashMap<>(index.stats());
  }

  public static String kernelName() {
    return Distance.kernelName();
  }

  private static float[][] rows(byte[] data, int count) {
    float[] flat = bytesToFloats(data, "vectors");
    if (count <= 0 || flat.length % count != 0) {
      throw new IllegalArgumentException(
          flat.length + " floats do not split into " + count + " vectors of equal dimension");
    }
    int dimension = flat.length / count;
    float[][] rows = new float[count][dimension];
    for (int i = 0; i < count; i++) {
      System.arraycopy(flat, i * dimension, rows[i], 0, dimension);
    }
    return rows;
  }

  static float[] bytesToFloats(byte[] bytes, String what) {
    if (bytes == null || bytes.length % Float.BYTES != 0) {
      throw new IllegalArgumentException(what + " must be little-endian float32 bytes");
    }
    FloatBuffer floats = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] out = new float[floats.remaining()];
    floats.get(out);
    return out;
  }

  static byte[] floatsToBytes(float[] values) {
    ByteBuffer out =
        ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    out.asFloatBuffer().put(values);
    return out.array();
  }

  /**
   * int32 query count, int32 result count per query, then all int64 ids, then float32 distances.
   */
  static byte[] pack(List<List<Neighbor>> results) {
    int total = 0;
    for (List<Neighbor> result : results) {
      total += result.size();
    }
    ByteBuffer out =
        ByteBuffer.allocate(4 + 4 * results.size() + 12 * total).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(results.size());
    for (List<Neighbor> result : results) {
      out.putInt(result.size());
    }
    for (List<Neighbor> result : results) {
      for (Neighbor n : result) {
        out.putLong(n.id());
      }
    }
    for (List<Neighbor> result : results) {
      for (Neighbor n : result) {
        out.putFloat(n.distance());
      }
    }
    return out.array();
  }
}
