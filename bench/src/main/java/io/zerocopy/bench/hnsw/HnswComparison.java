package io.zerocopy.bench.hnsw;

import io.zerocopy.datasets.DatasetCache;
import io.zerocopy.datasets.Ivecs;
import io.zerocopy.engine.codes.QuantizedCodes;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.store.VectorStore;
import io.zerocopy.engine.store.VectorStoreWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Our HNSW index against the JVM's HNSW libraries on one data set, in one JVM: each library in turn
 * builds its index over the same {@code .vec} training vectors with the same M and efConstruction
 * on {@code --threads} threads (timed), then runs the same queries single-threaded over a sweep of
 * ef (best QPS of {@code --passes} passes, recall@k against the exact neighbours, cached); heap
 * after GC and RSS are read at search time; the index is then released and collected before the
 * next library starts. The peers outside the JVM ({@code --native}, {@link NativePeers}) run first,
 * each in a Python process of its own, on the same files and exact neighbours. Every library first
 * builds and searches a small index once, so that the heap it reports is its index's, not the
 * classes and caches the JVM loads on first use (which would otherwise be charged to whichever
 * library runs first). Writes {@code <out>/<slug>.md}, {@code <slug>-summary.csv} and {@code
 * <slug>-sweep.csv}. With {@code --rounds R > 1} all of that runs R times, the peers and ours
 * alternating (this machine's speed drifts by 10-20% within minutes, and one run gave whichever
 * library ran in a slow minute the worse figure), and the report pools the rounds ({@link
 * #pooled}).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks.jar:lucene-core-X.jar \
 *   io.zerocopy.bench.hnsw.HnswComparison --name "Fashion-MNIST" --slug fashion-mnist \
 *   --train train.vec --queries test.vec --metric l2 [--limit 0] [--query-count 1000] \
 *   [--libraries zero-copy,lucene,jvector,hnswlib-core] [--ef 10,16,24,32,48,64,96,128,192,256] \
 *   [--native hnswlib,faiss-hnsw --python bench/.venv/bin/python \
 *    --native-script bench/python/native_peers.py] \
 *   [--m 16] [--ef-construction 200] [--threads 2] [--k 10] [--passes 3] [--rounds 1] [--out DIR]
 * </pre>
 */
public final class HnswComparison {

  static final Map<String, Supplier<HnswLibrary>> LIBRARIES = new LinkedHashMap<>();

  static {
    LIBRARIES.put("zero-copy", ZeroCopyLibrary::new);
    LIBRARIES.put("zero-copy-int8", () -> new ZeroCopyLibrary(QuantizedCodes.Kind.INT8, 0));
    LIBRARIES.put("zero-copy-int8-rerank2", () -> new ZeroCopyLibrary(QuantizedCodes.Kind.INT8, 2));
    LIBRARIES.put("zero-copy-pq", () -> new ZeroCopyLibrary(QuantizedCodes.Kind.PQ, 0));
    LIBRARIES.put("zero-copy-pq-rerank5", () -> new ZeroCopyLibrary(QuantizedCodes.Kind.PQ, 5));
    LIBRARIES.put("zero-copy-pq-rerank3", () -> new ZeroCopyLibrary(QuantizedCodes.Kind.PQ, 3));
    LIBRARIES.put("lucene", LuceneLibrary::new);
    LIBRARIES.put("lucene-quantized", () -> new LuceneLibrary(true));
    LIBRARIES.put("jvector", JVectorLibrary::new);
    LIBRARIES.put("hnswlib-core", HnswlibCoreLibrary::new);
  }

  private HnswComparison() {}

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Files.createDirectories(o.out);
    Path train = o.limit > 0 ? subset(o.train, o.limit) : o.train;
    float[][] queries = readQueries(o.queries, o.queryCount);
    List<List<LibraryResult>> rounds = new ArrayList<>();
    String jdk = System.getProperty("java.version");
    String setup;
    try (VectorStore store = VectorStore.open(train)) {
      int[][] truth = GroundTruth.load(store, o.queries, queries, o.metric, o.k, o.threads);
      setup =
          String.format(
              Locale.ROOT,
              "%,d × %d vectors (`%s`), %s, %,d queries (`%s`), k=%d; M=%d, efConstruction=%d,"
                  + " build on %d threads, search on 1 thread, best of %d passes per ef; JDK %s"
                  + " (%s), heap max %,d MB.",
              store.size(),
              store.dimension(),
              train.getFileName(),
              o.metric,
              queries.length,
              o.queries.getFileName(),
              o.k,
              o.m,
              o.efConstruction,
              o.threads,
              o.passes,
              jdk,
              System.getProperty("java.vm.name"),
              Runtime.getRuntime().maxMemory() >> 20);
      log("%s: %s", o.name, setup);
      HnswLibrary.BuildParameters parameters =
          new HnswLibrary.BuildParameters(o.m, o.efConstruction, o.threads);
      Path warmUpVectors = subset(train, Math.min(2_000, store.size()));
      try (VectorStore small = VectorStore.open(warmUpVectors)) {
        for (String name : o.libraries) {
          warmUp(name, small, queries, parameters, o);
        }
      }
      Path truthFile = o.out.resolve(o.slug + "-truth.ivecs");
      if (!o.nativePeers.isEmpty()) {
        Ivecs.write(truthFile, truth);
      }
      for (int round = 1; round <= o.rounds; round++) {
        if (o.rounds > 1) {
          log("%s: round %d of %d", o.name, round, o.rounds);
        }
        List<LibraryResult> results = new ArrayList<>();
        for (String name : o.nativePeers) {
          results.add(runNative(name, o, train, truthFile, queries.length, parameters));
        }
        for (String name : o.libraries) {
          results.add(run(name, store, queries, truth, parameters, o));
        }
        rounds.add(results);
      }
    }
    List<LibraryResult> results = rounds.size() == 1 ? rounds.get(0) : pooled(rounds);
    if (rounds.size() > 1) {
      setup += roundsNote(rounds);
    }
    String title = o.name;
    String md = Report.markdown(title, setup, results);
    Files.writeString(o.out.resolve(o.slug + ".md"), md);
    Report.writeCsv(
        o.out.resolve(o.slug + "-summary.csv"),
        o.out.resolve(o.slug + "-sweep.csv"),
        o.slug,
        jdk,
        results);
    System.out.println(md);
  }

  /**
   * One result per library from several rounds: the sweep of its round with the best QPS at recall
   * 0.95 (whole, so that the table's figures and the sweep below it come from one index; pooling
   * all rounds' points under one interpolated frontier can read lower than a round alone), the
   * shortest build, memory as that round measured it. A library that failed in any round is
   * reported failed.
   */
  static List<LibraryResult> pooled(List<List<LibraryResult>> rounds) {
    List<LibraryResult> pooled = new ArrayList<>();
    for (int i = 0; i < rounds.get(0).size(); i++) {
      final int library = i;
      List<LibraryResult> each = rounds.stream().map(r -> r.get(library)).toList();
      LibraryResult failed = each.stream().filter(LibraryResult::failed).findFirst().orElse(null);
      if (failed != null) {
        pooled.add(failed);
        continue;
      }
      LibraryResult best = each.get(each.size() - 1);
      for (LibraryResult e : each) {
        if (qpsAt95(e) > qpsAt95(best)) {
          best = e;
        }
      }
      double build = each.stream().mapToDouble(LibraryResult::buildSeconds).min().orElseThrow();
      pooled.add(
          new LibraryResult(
              best.name(),
              best.version(),
              best.layout(),
              build,
              best.before(),
              best.atSearch(),
              best.sweep(),
              null,
              best.nativeNotes()));
    }
    return pooled;
  }

  /** QPS at recall 0.95, or -1 where the sweep does not reach it. */
  private static double qpsAt95(LibraryResult r) {
    Sweep.AtRecall at = Sweep.qpsAt(r.sweep(), 0.95);
    return at.reached() ? at.qps() : -1;
  }

  /** How the rounds were pooled, and each round's QPS ratio at recall 0.95 of ours to each peer. */
  private static String roundsNote(List<List<LibraryResult>> rounds) {
    StringBuilder note =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                " Best of %d rounds, each a fresh build and sweep of every library, the peers"
                    + " outside the JVM and ours alternating: per library the round with the best"
                    + " QPS at recall 0.95 (its sweep below), the shortest build.",
                rounds.size()));
    List<LibraryResult> first = rounds.get(0);
    for (LibraryResult ours : first) {
      if (!ours.inJvm()) {
        continue;
      }
      for (LibraryResult peer : first) {
        if (peer.inJvm()) {
          continue;
        }
        note.append(" Per round, QPS @ 0.95 ").append(ours.name()).append(" / ");
        note.append(peer.name()).append(':');
        for (List<LibraryResult> round : rounds) {
          LibraryResult a = round.get(first.indexOf(ours));
          LibraryResult b = round.get(first.indexOf(peer));
          Sweep.AtRecall qa = Sweep.qpsAt(a.sweep(), 0.95);
          Sweep.AtRecall qb = Sweep.qpsAt(b.sweep(), 0.95);
          note.append(' ')
              .append(
                  qa.reached() && qb.reached()
                      ? String.format(Locale.ROOT, "%.2f", qa.qps() / qb.qps())
                      : "n/a");
        }
        note.append('.');
      }
    }
    return note.toString();
  }

  private static LibraryResult run(
      String name,
      VectorStore store,
      float[][] queries,
      int[][] truth,
      HnswLibrary.BuildParameters parameters,
      Options o)
      throws IOException {
    Path work = o.out.resolve("work-" + name);
    deleteTree(work);
    Files.createDirectories(work);
    MemoryProbe.Snapshot before = MemoryProbe.afterGc();
    String version = "?";
    try (HnswLibrary library = LIBRARIES.get(name).get()) {
      version = library.version();
      log("%s %s: building", name, version);
      long started = System.nanoTime();
      library.build(store, o.metric, parameters, work);
      double buildSeconds = (System.nanoTime() - started) / 1e9;
      log("%s: built in %.1f s", name, buildSeconds);
      List<Sweep.Point> sweep = sweep(library, queries, truth, o);
      MemoryProbe.Snapshot atSearch = MemoryProbe.afterGc();
      // touch the index after measuring so that it is reachable while measured
      library.search(queries[0], o.k, o.ef[0], new int[o.k]);
      return new LibraryResult(
          name, version, library.layout(), buildSeconds, before, atSearch, sweep, null);
    } catch (Exception | OutOfMemoryError e) {
      log("%s: FAILED: %s", name, e);
      e.printStackTrace();
      String message = e.getClass().getSimpleName() + ": " + e.getMessage();
      return new LibraryResult(name, version, "", Double.NaN, before, before, List.of(), message);
    } finally {
      deleteTree(work);
      MemoryProbe.afterGc();
    }
  }

  private static LibraryResult runNative(
      String name,
      Options o,
      Path train,
      Path truthFile,
      int queryCount,
      HnswLibrary.BuildParameters parameters) {
    try {
      return NativePeers.run(name, o, train, o.metric, truthFile, queryCount, parameters);
    } catch (IOException | RuntimeException e) {
      log("%s: FAILED: %s", name, e);
      MemoryProbe.Snapshot none = new MemoryProbe.Snapshot(0, 0, -1, -1, -1);
      String message = e.getClass().getSimpleName() + ": " + e.getMessage();
      return new LibraryResult(name, "?", "", Double.NaN, none, none, List.of(), message, "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(name + ": interrupted", e);
    }
  }

  private static void warmUp(
      String name,
      VectorStore small,
      float[][] queries,
      HnswLibrary.BuildParameters parameters,
      Options o)
      throws IOException {
    Path work = o.out.resolve("warm-up-" + name);
    deleteTree(work);
    Files.createDirectories(work);
    try (HnswLibrary library = LIBRARIES.get(name).get()) {
      library.build(small, o.metric, parameters, work);
      int[] ids = new int[o.k];
      for (int q = 0; q < Math.min(100, queries.length); q++) {
        library.search(queries[q], o.k, o.ef[0], ids);
      }
    } catch (Exception | OutOfMemoryError e) {
      log("%s: warm-up failed: %s", name, e); // the measured run reports the failure
    } finally {
      deleteTree(work);
    }
  }

  private static List<Sweep.Point> sweep(
      HnswLibrary library, float[][] queries, int[][] truth, Options o) throws Exception {
    int[][] found = new int[queries.length][o.k];
    int[] counts = new int[queries.length];
    // warm-up: one pass at the largest ef, so the JIT has compiled the search path
    int warmEf = Arrays.stream(o.ef).max().orElse(o.k);
    for (int pass = 0; pass < o.warmupPasses; pass++) {
      for (int q = 0; q < queries.length; q++) {
        counts[q] = library.search(queries[q], o.k, warmEf, found[q]);
      }
    }
    List<Sweep.Point> points = new ArrayList<>();
    for (int ef : o.ef) {
      double bestQps = 0;
      for (int pass = 0; pass < o.passes; pass++) {
        long started = System.nanoTime();
        for (int q = 0; q < queries.length; q++) {
          counts[q] = library.search(queries[q], o.k, ef, found[q]);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        bestQps = Math.max(bestQps, queries.length / seconds);
      }
      double recall = Sweep.recall(found, counts, truth, o.k);
      points.add(new Sweep.Point(ef, recall, bestQps));
      log("%s: ef=%d recall@%d=%.4f QPS=%.0f", library.name(), ef, o.k, recall, bestQps);
    }
    return points;
  }

  /** The first {@code limit} vectors of {@code vec}, written once into the cache. */
  static Path subset(Path vec, long limit) throws IOException {
    try (VectorStore full = VectorStore.open(vec)) {
      if (limit >= full.size()) {
        return vec;
      }
      String stem = vec.getFileName().toString().replaceFirst("\\.vec$", "");
      Path target =
          DatasetCache.root()
              .resolve("subsets")
              .resolve(stem + "-" + Files.size(vec) + "-first-" + limit + ".vec");
      if (Files.isRegularFile(target)) {
        return target;
      }
      Files.createDirectories(target.getParent());
      try (VectorStoreWriter writer = VectorStoreWriter.create(target, full.dimension())) {
        for (long i = 0; i < limit; i++) {
          writer.append(full.get(i));
        }
        writer.commit();
      }
      return target;
    }
  }

  static float[][] readQueries(Path vec, int count) throws IOException {
    try (VectorStore store = VectorStore.open(vec)) {
      int n = (int) Math.min(count, store.size());
      float[][] out = new float[n][];
      for (int q = 0; q < n; q++) {
        out[q] = store.get(q);
      }
      return out;
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, "[hnsw-bench] " + format + "%n", args);
  }

  /** The command line, parsed and checked once. */
  static final class Options {
    String name;
    String slug;
    Path train;
    Path queries;
    Metric metric = Metric.L2;
    long limit;
    int queryCount = 1000;
    List<String> libraries = new ArrayList<>(LIBRARIES.keySet());
    List<String> nativePeers = new ArrayList<>();
    String python = "python3";
    Path nativeScript = Path.of("bench/python/native_peers.py");
    int[] ef = {10, 16, 24, 32, 48, 64, 96, 128, 192, 256};
    int m = 16;
    int efConstruction = 200;
    int threads = 2;
    int k = 10;
    int passes = 3;
    int warmupPasses = 1;
    int rounds = 1;
    Path out = Path.of("bench/target/hnsw");

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String key = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + key + " needs a value");
        }
        String value = args[++i];
        switch (key) {
          case "--name":
            o.name = value;
            break;
          case "--slug":
            o.slug = value;
            break;
          case "--train":
            o.train = Path.of(value);
            break;
          case "--queries":
            o.queries = Path.of(value);
            break;
          case "--metric":
            o.metric = Metric.parse(value);
            break;
          case "--limit":
            o.limit = Long.parseLong(value);
            break;
          case "--query-count":
            o.queryCount = positive(key, Integer.parseInt(value));
            break;
          case "--libraries":
            o.libraries = new ArrayList<>();
            for (String lib : value.split(",")) {
              if (!LIBRARIES.containsKey(lib.trim())) {
                throw new IllegalArgumentException(
                    "unknown library '" + lib + "' in --libraries: expected " + LIBRARIES.keySet());
              }
              o.libraries.add(lib.trim());
            }
            break;
          case "--native":
            o.nativePeers = new ArrayList<>();
            for (String lib : value.split(",")) {
              if (lib.isBlank()) {
                continue;
              }
              if (!NativePeers.NAMES.contains(lib.trim())) {
                throw new IllegalArgumentException(
                    "unknown library '" + lib + "' in --native: expected " + NativePeers.NAMES);
              }
              o.nativePeers.add(lib.trim());
            }
            break;
          case "--python":
            o.python = value;
            break;
          case "--native-script":
            o.nativeScript = Path.of(value);
            break;
          case "--ef":
            o.ef =
                Arrays.stream(value.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
            break;
          case "--m":
            o.m = positive(key, Integer.parseInt(value));
            break;
          case "--ef-construction":
            o.efConstruction = positive(key, Integer.parseInt(value));
            break;
          case "--threads":
            o.threads = positive(key, Integer.parseInt(value));
            break;
          case "--k":
            o.k = positive(key, Integer.parseInt(value));
            break;
          case "--passes":
            o.passes = positive(key, Integer.parseInt(value));
            break;
          case "--rounds":
            o.rounds = positive(key, Integer.parseInt(value));
            break;
          case "--warmup-passes":
            o.warmupPasses = Integer.parseInt(value);
            break;
          case "--out":
            o.out = Path.of(value);
            break;
          default:
            throw new IllegalArgumentException("unknown option '" + key + "'");
        }
      }
      if (o.train == null || o.queries == null) {
        throw new IllegalArgumentException("--train and --queries are required");
      }
      if (o.ef.length == 0 || Arrays.stream(o.ef).anyMatch(e -> e < o.k)) {
        throw new IllegalArgumentException(
            "--ef must list beam widths >= k=" + o.k + ", got " + Arrays.toString(o.ef));
      }
      if (o.name == null) {
        o.name = o.train.getFileName().toString();
      }
      if (o.slug == null) {
        o.slug = o.name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
      }
      return o;
    }

    private static int positive(String key, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(key + " must be >= 1, got " + value);
      }
      return value;
    }
  }
}
