package io.zerocopy.bench.hnsw;

import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Version;

/**
 * Apache Lucene's HNSW through its index-level API only ({@code IndexWriter}, {@code
 * KnnFloatVectorField}, {@code forceMerge(1)}, {@code KnnFloatVectorQuery}): that API is the same
 * in 9.12 and 10.x, so this class is compiled against 9.12.3 and runs on 10.x unchanged (the driver
 * puts the matching {@code lucene-core} jar on the class path).
 *
 * <p>Build: the documents are indexed on {@code threads} threads (one in-memory segment each, its
 * graph built while indexing), then merged into one segment by {@code Lucene99HnswVectorsFormat}
 * with {@code threads} merge workers, committed, and reopened from an {@code FSDirectory} (mmap).
 * Search: {@code KnnFloatVectorQuery} with {@code k = ef} candidates, of which the best {@code k}
 * are kept (Lucene's beam width is the query's k).
 *
 * <p>{@code lucene-quantized}: the same with Lucene's scalar-quantized HNSW format at its defaults:
 * on 9.12 {@code Lucene99HnswScalarQuantizedVectorsFormat} (7 bits per dimension), on 10.x {@code
 * Lucene104HnswScalarQuantizedVectorsFormat} (8 bits, {@code UNSIGNED_BYTE}); the graph is searched
 * on the quantized vectors and the query returns their scores (no float re-ranking). Made by
 * reflection: each class exists in one of the two lines only.
 */
final class LuceneLibrary implements HnswLibrary {

  private static final String FIELD = "vector";
  private static final String ID = "id";

  private final boolean quantized;
  private FSDirectory directory;
  private DirectoryReader reader;
  private IndexSearcher searcher;
  private int[] docToId;

  LuceneLibrary() {
    this(false);
  }

  /** {@code quantized}: Lucene's scalar-quantized HNSW format instead of float32. */
  LuceneLibrary(boolean quantized) {
    this.quantized = quantized;
  }

  @Override
  public String name() {
    return quantized ? "lucene-quantized" : "lucene";
  }

  @Override
  public String version() {
    return Version.LATEST.toString();
  }

  @Override
  public String layout() {
    return "mapped index files ("
        + (directory == null ? "FSDirectory" : directory.getClass().getSimpleName())
        + ")";
  }

  @Override
  public void build(VectorStore store, Metric metric, BuildParameters parameters, Path workDir)
      throws Exception {
    VectorSimilarityFunction similarity;
    switch (metric) {
      case L2:
        similarity = VectorSimilarityFunction.EUCLIDEAN;
        break;
      case COSINE:
        similarity = VectorSimilarityFunction.COSINE;
        break;
      default:
        throw new IllegalArgumentException("Lucene adapter: unsupported metric " + metric);
    }
    int threads = parameters.threads();
    ExecutorService mergeWorkers = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
    ExecutorService indexers = Executors.newFixedThreadPool(threads);
    try {
      KnnVectorsFormat hnsw =
          quantized
              ? quantizedFormat(parameters.m(), parameters.efConstruction(), threads, mergeWorkers)
              : new Lucene99HnswVectorsFormat(
                  parameters.m(), parameters.efConstruction(), threads, mergeWorkers);
      KnnVectorsFormat perField =
          new PerFieldKnnVectorsFormat() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
              return hnsw;
            }
          };
      Codec base = Codec.getDefault();
      Codec codec =
          new FilterCodec(base.getName(), base) {
            @Override
            public KnnVectorsFormat knnVectorsFormat() {
              return perField;
            }
          };
      IndexWriterConfig config =
          new IndexWriterConfig()
              .setCodec(codec)
              .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
              .setUseCompoundFile(false)
              // one segment per indexing thread: flush only at forceMerge
              .setRAMBufferSizeMB(IndexWriterConfig.DEFAULT_RAM_PER_THREAD_HARD_LIMIT_MB)
              .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH);
      directory = FSDirectory.open(workDir.resolve("lucene"));
      int n = Math.toIntExact(store.size());
      try (IndexWriter writer = new IndexWriter(directory, config)) {
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int from = (int) ((long) n * t / threads);
          int to = (int) ((long) n * (t + 1) / threads);
          tasks.add(
              indexers.submit(
                  () -> {
                    for (int i = from; i < to; i++) {
                      Document doc = new Document();
                      doc.add(new KnnFloatVectorField(FIELD, store.get(i), similarity));
                      doc.add(new NumericDocValuesField(ID, i));
                      writer.addDocument(doc);
                    }
                    return null;
                  }));
        }
        for (Future<?> task : tasks) {
          task.get();
        }
        writer.forceMerge(1);
        writer.commit();
      }
      reader = DirectoryReader.open(directory);
    } finally {
      indexers.shutdown();
      if (mergeWorkers != null) {
        mergeWorkers.shutdown();
      }
    }
    if (reader.leaves().size() != 1) {
      throw new IllegalStateException(
          "Lucene: expected one segment after forceMerge(1), got " + reader.leaves().size());
    }
    LeafReader leaf = reader.leaves().get(0).reader();
    docToId = new int[leaf.maxDoc()];
    NumericDocValues ids = leaf.getNumericDocValues(ID);
    for (int doc = ids.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = ids.nextDoc()) {
      docToId[doc] = (int) ids.longValue();
    }
    searcher = new IndexSearcher(reader);
    searcher.setQueryCache(null);
  }

  /** Lucene's scalar-quantized HNSW format of the running version, at its default encoding. */
  private static KnnVectorsFormat quantizedFormat(
      int m, int efConstruction, int threads, ExecutorService mergeWorkers)
      throws ReflectiveOperationException {
    if (Version.LATEST.major >= 10) {
      Class<?> format =
          Class.forName(
              "org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat");
      @SuppressWarnings({"unchecked", "rawtypes"})
      Class<Enum> encoding =
          (Class<Enum>)
              Class.forName(
                  "org.apache.lucene.util.quantization.QuantizedByteVectorValues$ScalarEncoding");
      Object byteEncoding = Enum.valueOf(encoding, "UNSIGNED_BYTE");
      // (encoding, maxConn, beamWidth, mergeWorkers, executor, tinySegmentsThreshold): the
      // threshold is the value of the format's own (maxConn, beamWidth) constructor
      return (KnnVectorsFormat)
          format
              .getConstructor(
                  encoding, int.class, int.class, int.class, ExecutorService.class, int.class)
              .newInstance(byteEncoding, m, efConstruction, threads, mergeWorkers, 100);
    }
    Class<?> format =
        Class.forName("org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat");
    // (maxConn, beamWidth, mergeWorkers, bits, compress, confidenceInterval, executor): the
    // defaults are 7 bits, no compression, a confidence interval computed from the dimension
    return (KnnVectorsFormat)
        format
            .getConstructor(
                int.class,
                int.class,
                int.class,
                int.class,
                boolean.class,
                Float.class,
                ExecutorService.class)
            .newInstance(m, efConstruction, threads, 7, false, null, mergeWorkers);
  }

  @Override
  public int search(float[] query, int k, int ef, int[] out) throws Exception {
    TopDocs top = searcher.search(new KnnFloatVectorQuery(FIELD, query, Math.max(k, ef)), k);
    ScoreDoc[] docs = top.scoreDocs;
    int n = Math.min(docs.length, out.length);
    for (int i = 0; i < n; i++) {
      out[i] = docToId[docs[i].doc];
    }
    return n;
  }

  @Override
  public void close() throws IOException {
    searcher = null;
    docToId = null;
    if (reader != null) {
      reader.close();
      reader = null;
    }
    if (directory != null) {
      directory.close();
      directory = null;
    }
  }
}
