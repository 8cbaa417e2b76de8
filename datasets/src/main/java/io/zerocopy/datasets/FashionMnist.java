package io.zerocopy.datasets;

import io.zerocopy.engine.store.VecHeader;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.engine.store.VectorStoreWriter;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST from its IDX files (gzipped or not), as the Debian package {@code
 * dataset-fashion-mnist} installs them: images become a 784-d {@code .vec} file of pixel values
 * 0..255 as floats (as ann-benchmarks' {@code fashion-mnist-784-euclidean} does), labels a byte per
 * image. {@link #vectors(Split)} converts once into a cache directory and reuses the result.
 *
 * <p>IDX: a big-endian header (magic {@code 0x00000803} for images with count, rows, columns;
 * {@code 0x00000801} for labels with count), then unsigned bytes. Sizes from the header are checked
 * against the data (the file size, or a gzip file's recorded uncompressed size) before anything is
 * allocated, and the data must end exactly where the header says.
 */
public final class FashionMnist {

  /** Where the Debian package puts the files. */
  public static final Path DEBIAN_DIR = Paths.get("/usr/share/datasets/fashion-mnist");

  /** Overrides the source directory (system property or environment variable). */
  public static final String SOURCE_DIR_VARIABLE = "ZCS_FASHION_MNIST_DIR";

  public static final int IMAGES_MAGIC = 0x00000803;
  public static final int LABELS_MAGIC = 0x00000801;
  public static final int ROWS = 28;
  public static final int COLUMNS = 28;
  public static final int DIMENSION = ROWS * COLUMNS;
  public static final int CLASSES = 10;

  /** Deflate expands at most about 1032:1, which bounds what a gzip file can really hold. */
  static final long MAX_DEFLATE_RATIO = 1032;

  /** The class names, indexed by label. */
  public static final List<String> LABEL_NAMES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  /** The two parts of the data set, with the IDX file prefixes the distribution uses. */
  public enum Split {
    TRAIN("train", 60_000),
    TEST("t10k", 10_000);

    private final String prefix;
    private final int count;

    Split(String prefix, int count) {
      this.prefix = prefix;
      this.count = count;
    }

    /** Images in this split of the published data set. */
    public int count() {
      return count;
    }

    /** "train" or "t10k", as in the file names. */
    public String prefix() {
      return prefix;
    }
  }

  private final Path sourceDir;
  private final Path cacheDir;

  private FashionMnist(Path sourceDir, Path cacheDir) {
    this.sourceDir = sourceDir;
    this.cacheDir = cacheDir;
  }

  /**
   * The data set at its default places: sources from {@code ZCS_FASHION_MNIST_DIR} or {@link
   * #DEBIAN_DIR}, cache in {@link DatasetCache#root()}{@code /fashion-mnist}.
   */
  public static FashionMnist standard() {
    String override = DatasetCache.setting(SOURCE_DIR_VARIABLE);
    Path source = override != null ? Paths.get(override) : DEBIAN_DIR;
    return at(source, DatasetCache.root().resolve("fashion-mnist"));
  }

  /** The data set with sources in {@code sourceDir} and converted files in {@code cacheDir}. */
  public static FashionMnist at(Path sourceDir, Path cacheDir) {
    if (sourceDir == null || cacheDir == null) {
      throw new IllegalArgumentException("source and cache directories must not be null");
    }
    return new FashionMnist(sourceDir, cacheDir);
  }

  public Path sourceDir() {
    return sourceDir;
  }

  public Path cacheDir() {
    return cacheDir;
  }

  /** The IDX images file of a split, e.g. {@code train-images-idx3-ubyte.gz}. */
  public Path imagesFile(Split split) throws IOException {
    return source(split.prefix + "-images-idx3-ubyte");
  }

  /** The IDX labels file of a split, e.g. {@code t10k-labels-idx1-ubyte.gz}. */
  public Path labelsFile(Split split) throws IOException {
    return source(split.prefix + "-labels-idx1-ubyte");
  }

  private Path source(String name) throws IOException {
    Path gz = sourceDir.resolve(name + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    Path plain = sourceDir.resolve(name);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    throw new NoSuchFileException(
        gz.toString(),
        null,
        "Fashion-MNIST is not installed: run scripts/install-data.sh (Debian package"
            + " dataset-fashion-mnist) or set "
            + SOURCE_DIR_VARIABLE);
  }

  /**
   * The split's images as a {@code .vec} file in the cache directory, converted on first use. A
   * cached file is reused when it opens with the right count and dimension; the writer's atomic
   * rename means a crashed conversion never leaves a half-written file behind.
   */
  public Path vectors(Split split) throws IOException {
    Path vec = cacheDir.resolve(split.prefix + "-images.vec");
    if (Files.isRegularFile(vec)) {
      try (VectorStore store = VectorStore.open(vec)) {
        if (store.size() == split.count && store.dimension() == DIMENSION) {
          return vec;
        }
      } catch (IOException e) {
        // unreadable or stale cache entry: convert again below
      }
    }
    Files.createDirectories(cacheDir);
    long count = convertImages(imagesFile(split), vec);
    if (count != split.count) {
      throw new DatasetFormatException(
          imagesFile(split), "image count", split.count + " images", count + " images");
    }
    return vec;
  }

  /** The split's labels, one byte (0..9) per image. */
  public byte[] labels(Split split) throws IOException {
    return readLabels(labelsFile(split));
  }

  /** The name of a label, e.g. 9 → "Ankle boot". */
  public static String labelName(int label) {
    if (label < 0 || label >= CLASSES) {
      throw new IllegalArgumentException("label must be in [0, " + CLASSES + "), got " + label);
    }
    return LABEL_NAMES.get(label);
  }

  /**
   * Converts an IDX images file into a {@code .vec} file of {@code rows × columns} floats per
   * image, streaming one image at a time. Returns the number of images.
   */
  public static long convertImages(Path idx, Path vec) throws IOException {
    try (IdxInput in = IdxInput.open(idx, IMAGES_MAGIC, 3)) {
      int count = in.dims[0];
      int dimension = Math.multiplyExact(in.dims[1], in.dims[2]);
      byte[] pixels = new byte[dimension];
      float[] vector = new float[dimension];
      try (VectorStoreWriter writer = VectorStoreWriter.create(vec, dimension)) {
        for (int image = 0; image < count; image++) {
          in.readRecord(pixels, "image " + image);
          for (int i = 0; i < dimension; i++) {
            vector[i] = pixels[i] & 0xFF;
          }
          writer.append(vector);
        }
        in.expectEnd();
        writer.commit();
        return count;
      }
    }
  }

  /** Reads an IDX labels file: one unsigned byte per item. */
  public static byte[] readLabels(Path idx) throws IOException {
    try (IdxInput in = IdxInput.open(idx, LABELS_MAGIC, 1)) {
      byte[] labels = new byte[in.dims[0]];
      in.readRecord(labels, "labels");
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] < 0 || labels[i] >= CLASSES) {
          throw new DatasetFormatException(
              idx, "label " + i, "a class in [0, " + CLASSES + ")", String.valueOf(labels[i]));
        }
      }
      in.expectEnd();
      return labels;
    }
  }

  /** The labels as ints, for callers that index arrays with them. */
  public static int[] toInts(byte[] labels) {
    int[] out = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = labels[i] & 0xFF;
    }
    return out;
  }

  /** A validated IDX stream: header read and checked, positioned at the first data byte. */
  private static final class IdxInput implements AutoCloseable {
    final Path file;
    final InputStream in;
    final int[] dims;
    long position;

    private IdxInput(Path file, InputStream in, int[] dims, long position) {
      this.file = file;
      this.in = in;
      this.dims = dims;
      this.position = position;
    }

    static IdxInput open(Path file, int magic, int dimensions) throws IOException {
      boolean gzip = isGzip(file);
      long dataSize = gzip ? gzipUncompressedSize(file) : Files.size(file);
      InputStream raw = Files.newInputStream(file);
      InputStream in;
      try {
        in =
            gzip
                ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16)
                : new BufferedInputStream(raw, 1 << 16);
      } catch (IOException e) {
        raw.close();
        throw new DatasetFormatException(file, "gzip header", "a gzip stream", e.toString());
      }
      try {
        int headerBytes = 4 + 4 * dimensions;
        byte[] header = new byte[headerBytes];
        int got = in.readNBytes(header, 0, headerBytes);
        ByteBuffer be = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN);
        int found = be.getInt();
        if (got >= 4 && found != magic) {
          throw new DatasetFormatException(
              file,
              "IDX magic",
              String.format(
                  Locale.ROOT,
                  "0x%08X (%s)",
                  magic,
                  magic == IMAGES_MAGIC ? "unsigned-byte images, 3 dimensions" : "labels"),
              String.format(Locale.ROOT, "0x%08X", found));
        }
        if (got < headerBytes) {
          throw new DatasetFormatException(
              file, "IDX header", headerBytes + " bytes", got + " bytes (truncated)");
        }
        int[] dims = new int[dimensions];
        for (int i = 0; i < dimensions; i++) {
          dims[i] = be.getInt();
          if (dims[i] < (i == 0 ? 0 : 1)) {
            throw new DatasetFormatException(
                file,
                "IDX dimension " + i,
                i == 0 ? "a count >= 0" : "a size >= 1",
                Integer.toUnsignedString(dims[i]));
          }
        }
        long items = product(file, dims);
        // checked before the pixel and vector buffers of one image are allocated
        if (dimensions == 3 && (long) dims[1] * dims[2] > VecHeader.MAX_DIMENSION) {
          throw new DatasetFormatException(
              file,
              "IDX image size",
              "rows × columns of at most " + VecHeader.MAX_DIMENSION + " (the .vec limit)",
              dims[1] + " × " + dims[2]);
        }
        long expected = headerBytes + items;
        // a gzip trailer records the uncompressed size modulo 2^32
        long comparable = gzip ? expected & 0xFFFF_FFFFL : expected;
        if (comparable != dataSize) {
          throw new DatasetFormatException(
              file,
              "data size",
              expected
                  + " bytes (header "
                  + headerBytes
                  + " + "
                  + describe(dims)
                  + (gzip ? ", uncompressed" : "")
                  + ")",
              dataSize + " bytes" + (dataSize < comparable ? " (truncated)" : " (trailing data)"));
        }
        // ISIZE is only 32 bits and as untrusted as the header: bound the data by what gzip can
        // hold
        long compressed = gzip ? Files.size(file) : dataSize;
        if (gzip && expected > compressed * MAX_DEFLATE_RATIO) {
          throw new DatasetFormatException(
              file,
              "data size",
              "at most " + MAX_DEFLATE_RATIO + " × the " + compressed + " compressed bytes",
              expected + " bytes (header " + headerBytes + " + " + describe(dims) + ")");
        }
        return new IdxInput(file, in, dims, headerBytes);
      } catch (DatasetFormatException | RuntimeException e) {
        in.close();
        throw e;
      } catch (IOException e) {
        in.close();
        throw new IOException(file + ": IDX header: " + e, e); // e.g. a corrupt gzip stream
      }
    }

    /** The product of the sizes, or an error if it cannot be a file size. */
    private static long product(Path file, int[] dims) throws DatasetFormatException {
      long product = 1;
      for (int dim : dims) {
        if (dim != 0 && product > (Long.MAX_VALUE - 64) / dim) {
          throw new DatasetFormatException(
              file, "IDX sizes", "a product that fits in a file size", describe(dims));
        }
        product *= dim;
      }
      return product;
    }

    private static String describe(int[] dims) {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < dims.length; i++) {
        s.append(i == 0 ? "" : " × ").append(dims[i]);
      }
      return s.append(" bytes").toString();
    }

    void readRecord(byte[] dst, String what) throws IOException {
      int got;
      try {
        got = in.readNBytes(dst, 0, dst.length);
      } catch (IOException e) {
        throw new IOException(file + ": " + what + " at byte " + position + ": " + e, e);
      }
      if (got < dst.length) {
        throw new DatasetFormatException(
            file,
            what + " at byte " + position,
            dst.length + " bytes",
            got + " bytes (truncated data)");
      }
      position += got;
    }

    void expectEnd() throws IOException {
      int next;
      try {
        next = in.read();
      } catch (IOException e) {
        throw new IOException(file + ": end of data at byte " + position + ": " + e, e);
      }
      if (next >= 0) {
        throw new DatasetFormatException(
            file, "end of data at byte " + position, "the end of the file", "trailing bytes");
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  private static boolean isGzip(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer magic = ByteBuffer.allocate(2);
      while (magic.hasRemaining() && channel.read(magic) >= 0) {
        // read two bytes or hit the end
      }
      return magic.position() == 2
          && (magic.get(0) & 0xFF) == 0x1F
          && (magic.get(1) & 0xFF) == 0x8B;
    }
  }

  /** ISIZE: the last four bytes of a gzip file, the uncompressed size modulo 2^32. */
  private static long gzipUncompressedSize(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < 18) {
        throw new DatasetFormatException(
            file, "gzip size", "at least 18 bytes", size + " bytes (truncated)");
      }
      ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      while (trailer.hasRemaining()) {
        if (channel.read(trailer, size - 4 + trailer.position()) < 0) {
          throw new DatasetFormatException(file, "gzip trailer", "4 bytes", "end of file");
        }
      }
      return trailer.getInt(0) & 0xFFFF_FFFFL;
    }
  }
}
