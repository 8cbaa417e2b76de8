package io.zerocopy.engine.hnsw;

import io.zerocopy.engine.codes.Int8Codes;
import io.zerocopy.engine.codes.QuantizedCodes;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.search.ParallelTasks;
import io.zerocopy.engine.search.TopK;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongPredicate;

/**
 * The seed's {@code HNSWIndex}: a Hierarchical Navigable Small World graph (Malkov & Yashunin,
 * arXiv:1603.09320) over the vectors of a {@link VectorStore}, with the heuristic neighbour
 * selection, {@code M0 = 2M} and level multiplier {@code 1/ln(M)}.
 *
 * <p>Searches return neighbours in ascending distance with the seed's values (L2 the true distance,
 * cosine {@code 1 - cos}, dot {@code -a·b}). Any number of threads may search at once; {@link
 * #build}, {@link #add} and {@link #delete} wait for running searches and block new ones. After
 * {@link #open} the graph is searched straight from the mapped {@code .hnsw} file.
 */
public final class HnswIndex implements AutoCloseable {

  /** The seed of {@link #build()} and {@link #build(int)}: a one-thread build is reproducible. */
  public static final long DEFAULT_SEED = 42L;

  /**
   * With codes, a search re-scores this many times k of its best candidates exactly: the codes'
   * order is close to the float32 order, not equal. Probes of 2026-12-05, recall@10: at 2 a beam
   * finds what the float32 walk finds on Fashion-MNIST and the MiniLM sentences, but tight
   * synthetic clusters under cosine lose 5 points (0.95 against 1.0); at 3 they lose 1 (0.99), and
   * on the real sets 3 costs 20-25% of the queries per second of 2 at small beams.
   */
  public static final int DEFAULT_RERANK = 3;

  /**
   * {@link #DEFAULT_RERANK} for product-quantization codes of fewer than {@link #PQ_MANY_SUBSPACES}
   * sub-spaces, whose order is further from the float32 order than 8-bit codes' (one byte per 4
   * dimensions instead of per dimension): tight synthetic clusters of 32 dimensions (8 sub-spaces)
   * find 0.99 of their neighbours at 10, 0.88 at 5.
   */
  public static final int DEFAULT_PQ_RERANK = 10;

  /**
   * {@link #DEFAULT_RERANK} for product-quantization codes of at least {@link #PQ_MANY_SUBSPACES}
   * sub-spaces: a score sums that many table entries, whose errors partly cancel. On Fashion-MNIST
   * (196 sub-spaces) and the MiniLM sentences (96), 5 × k finds what 10 × k finds at every beam of
   * the benchmark's sweep (ef 10 to 256, recall within 0.0002) at 1.3-1.9x its queries per second,
   * as the beam, not the re-ranking, bounds the recall (bench/RESULTS.md, 2026-12-06 06:23 UTC).
   */
  public static final int DEFAULT_WIDE_PQ_RERANK = 5;

  /** From this many sub-spaces (256 dimensions at the default width), pq re-ranks 5 × k. */
  public static final int PQ_MANY_SUBSPACES = 64;

  private static final System.Logger LOG = System.getLogger("io.zerocopy.engine.hnsw");

  private final int m;
  private final int efConstruction;
  private final Metric metric;
  private final int dimension;
  private final VectorKernel kernel = VectorKernel.selected();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final EntryPoint entry = new EntryPoint();

  private VectorStore store;
  private boolean ownsStore;
  private StoreScorer scorer;

  /** Set when graph searches walk on codes ({@link #quantize}); null: on the float32s. */
  private CodesScorer codesScorer;

  /** 0: the default of the codes' kind. */
  private int rerank;

  private GraphView graph;
  private Tombstones tombstones;
  private SplittableRandom random;
  private float maxSquaredNorm = -1f;
  private boolean closed;

  /** An index with the seed's defaults ({@link HnswParameters}): M 16, efConstruction 200, L2. */
  public HnswIndex(VectorStore store) {
    this(store, HnswParameters.DEFAULT_M, HnswParameters.DEFAULT_EF_CONSTRUCTION, Metric.L2);
  }

  /** An unbuilt index over {@code store}; call {@link #build()} before searching. */
  public HnswIndex(VectorStore store, int m, int efConstruction, Metric metric) {
    if (store == null || metric == null) {
      throw new IllegalArgumentException("store and metric must not be null");
    }
    HnswParameters.checkM(m, "m");
    HnswParameters.checkEfConstruction(efConstruction, "efConstruction");
    if (store.size() > Integer.MAX_VALUE - 1) {
      throw new IllegalArgumentException(
          store.path() + ": " + store.size() + " vectors exceed the index's int ids");
    }
    this.m = m;
    this.efConstruction = efConstruction;
    this.metric = metric;
    this.dimension = store.dimension();
    this.store = store;
    this.scorer = new StoreScorer(store, metric, kernel);
  }

  private HnswIndex(VectorStore store, MappedGraph mapped) {
    this(store, mapped.header().m(), mapped.header().efConstruction(), mapped.header().metric());
    this.ownsStore = true;
    this.graph = mapped;
    this.tombstones = mapped.tombstones();
    this.random = new SplittableRandom(DEFAULT_SEED ^ mapped.size());
    if (mapped.size() > 0) {
      entry.state = EntryPoint.pack(mapped.header().entryPoint(), mapped.header().maxLevel());
    }
  }

  /**
   * Maps the graph {@code indexPath} of the vectors {@code storePath}: checks sizes and checksums,
   * and that both files describe the same vectors. The graph stays in the page cache; the index
   * closes the store it opened.
   *
   * <p>The store may hold more vectors than the graph has nodes: {@link #add} commits the vectors
   * before the graph is saved, so a crash in between leaves this pair. The graph then covers the
   * first vectors only; the rest are not searched until the next {@link #add} links them (stats key
   * {@code num_unindexed}). A store with fewer vectors than the graph is an error.
   */
  public static HnswIndex open(Path storePath, Path indexPath) throws IOException {
    return open(storePath, indexPath, HnswFile.CHUNK_BYTES);
  }

  /**
   * As {@link #open(Path, Path)}, searching on the codes in {@code codesPath} (8-bit or product
   * quantization, written by {@link #quantize}), which must be the codes of {@code storePath}'s
   * vectors for this metric.
   */
  public static HnswIndex open(Path storePath, Path indexPath, Path codesPath) throws IOException {
    HnswIndex index = open(storePath, indexPath);
    try {
      index.attach(QuantizedCodes.open(codesPath, index.store));
      return index;
    } catch (IOException | RuntimeException e) {
      index.close();
      throw e;
    }
  }

  /** As {@link #open(Path, Path)} with graph sections mapped in chunks of {@code chunkBytes}. */
  static HnswIndex open(Path storePath, Path indexPath, long chunkBytes) throws IOException {
    VectorStore store = VectorStore.open(storePath);
    try {
      MappedGraph mapped = HnswFile.open(indexPath, chunkBytes);
      HnswFile.Header header = mapped.header();
      if (header.nodes() > store.size() || header.dimension() != store.dimension()) {
        throw new HnswFormatException(
            indexPath,
            "num_nodes/dimension",
            "at most "
                + store.size()
                + " nodes of dimension "
                + store.dimension()
                + " (from "
                + storePath
                + ")",
            header.nodes()
                + " nodes of dimension "
                + header.dimension()
                + ": the index does not belong to this store");
      }
      if (header.nodes() < store.size()) {
        LOG.log(
            System.Logger.Level.WARNING,
            "{0} indexes {1} of the {2} vectors of {3}: the others are not searched until the next"
                + " add (an add was not followed by a save?)",
            indexPath,
            header.nodes(),
            store.size(),
            storePath);
      }
      store.adviseRandomAccess(); // walks and re-rankings read single vectors: no read-around
      return new HnswIndex(store, mapped);
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** Builds the graph on all cores. */
  public void build() {
    build(ParallelTasks.defaultThreads(), DEFAULT_SEED);
  }

  /** Builds the graph on {@code threads} threads; with one thread the graph is reproducible. */
  public void build(int threads) {
    build(threads, DEFAULT_SEED);
  }

  /**
   * Builds the graph on {@code threads} threads, drawing levels from {@code seed}: one thread and
   * the same seed give the same graph.
   */
  public void build(int threads, long seed) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    lock.writeLock().lock();
    try {
      checkOpen();
      if (graph != null) {
        throw new IllegalStateException(store.path() + ": the index is already built");
      }
      long started = System.nanoTime();
      int n = (int) store.size();
      random = new SplittableRandom(seed);
      HeapGraph heap = new HeapGraph(m);
      heap.addNodes(GraphBuilder.drawLevels(random, n, m), 0, n);
      tombstones = new Tombstones(n);
      insert(heap, 0, n, threads);
      graph = heap;
      LOG.log(
          System.Logger.Level.DEBUG,
          "built HNSW over {0} vectors of {1} in {2} ms on {3} threads",
          n,
          store.path(),
          (System.nanoTime() - started) / 1_000_000,
          threads);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void insert(HeapGraph heap, int from, int to, int threads) {
    VectorScorer buildScorer = scorer;
    if (metric == Metric.DOT) {
      // the largest norm so far, widened by the new vectors (a new larger norm only bends the
      // reduction for the old nodes a little: they keep their links)
      if (maxSquaredNorm < 0f || from == 0) {
        maxSquaredNorm = MipsBuildScorer.maxSquaredNorm(scorer, kernel, to);
      } else {
        float[] buffer = new float[dimension];
        for (int node = from; node < to; node++) {
          scorer.read(node, buffer, 0);
          maxSquaredNorm = Math.max(maxSquaredNorm, kernel.dot(buffer, 0, buffer, 0, dimension));
        }
      }
      buildScorer = new MipsBuildScorer(scorer, kernel, maxSquaredNorm);
    }
    GraphBuilder builder = new GraphBuilder(heap, buildScorer, entry, m, efConstruction);
    ParallelTasks.run(
        to - from,
        threads,
        i -> {
          SearchContext context = SearchContext.acquire(m, dimension);
          try {
            builder.insert(from + i, context);
          } finally {
            context.release();
          }
        });
  }

  /** The {@code k} nearest live neighbours with the default beam, {@code ef = max(k, 50)}. */
  public List<Neighbor> search(float[] query, int k) {
    return search(query, k, HnswParameters.defaultEf(k), (LongPredicate) null);
  }

  /** The {@code k} nearest live neighbours with a beam of {@code ef >= k}. */
  public List<Neighbor> search(float[] query, int k, int ef) {
    return search(query, k, ef, (LongPredicate) null);
  }

  /**
   * As {@link #search(float[], int, int, LongPredicate)} with the ids set in {@code allowed}; when
   * it allows at most {@code max(ef, size/100)} ids, they are scored exactly instead: a graph walk
   * would visit far more nodes than that to find them, and the answer is then exact.
   */
  public List<Neighbor> search(float[] query, int k, int ef, BitSet allowed) {
    if (allowed == null) {
      throw new IllegalArgumentException("allowed must not be null");
    }
    checkQuery(query, "query");
    checkSearch(k, ef);
    lock.readLock().lock();
    try {
      checkBuilt();
      long size = graph.size(); // the ids the graph covers, as a graph search sees them
      SearchContext context = SearchContext.acquire(m, dimension);
      try {
        if (allowed.cardinality() <= exactFilterLimit(size, ef)) {
          return searchAllowedExactly(query, k, allowed, (int) size, context);
        }
        return searchUnlocked(query, k, ef, id -> allowed.get((int) id), context);
      } finally {
        context.release();
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * How many vectors graph searches (an insertion's included) on the calling thread scored so far:
   * the number of distance computations, as hnswlib's {@code metric_distance_computations} counts
   * them. A diagnostic for cost per visited node; the count belongs to the thread's reusable search
   * context, so it restarts when the thread moves to an index of another M or dimension.
   */
  public static long scoredOnThisThread() {
    return SearchContext.scoredOnThisThread();
  }

  /**
   * How many float32 vectors searches on codes re-ranked on the calling thread so far (those the
   * candidates' error bounds did not rule out); a diagnostic, kept as {@link #scoredOnThisThread}.
   */
  public static long rerankedOnThisThread() {
    return SearchContext.rerankedOnThisThread();
  }

  /** Up to this many allowed ids, a filtered search scores them all instead of walking. */
  static long exactFilterLimit(long size, int ef) {
    return Math.max(ef, size / 100);
  }

  private List<Neighbor> searchAllowedExactly(
      float[] query, int k, BitSet allowed, int size, SearchContext context) {
    TopK best = new TopK(k);
    float[] prepared = scorer.prepare(query, context.query);
    for (int node = allowed.nextSetBit(0); node >= 0 && node < size; ) {
      if (!tombstones.contains(node)) {
        best.offer(node, scorer.score(prepared, node, context.scratch));
      }
      node = node == Integer.MAX_VALUE ? -1 : allowed.nextSetBit(node + 1);
    }
    return reported(query, best, context);
  }

  /**
   * The {@code k} nearest live neighbours whose id passes {@code allowed} (null: all). The filter
   * is applied during the graph traversal: rejected nodes still route the search, so recall holds
   * when few ids are allowed, at the cost of visiting more nodes.
   */
  public List<Neighbor> search(float[] query, int k, int ef, LongPredicate allowed) {
    checkQuery(query, "query");
    checkSearch(k, ef);
    lock.readLock().lock();
    try {
      checkBuilt();
      SearchContext context = SearchContext.acquire(m, dimension);
      try {
        return searchUnlocked(query, k, ef, allowed, context);
      } finally {
        context.release();
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Searches every query on all cores; result i belongs to query i. */
  public List<List<Neighbor>> searchBatch(float[][] queries, int k, int ef) {
    return searchBatch(queries, k, ef, null);
  }

  /** Searches every query with a filter (null: all) on all cores; result i is of query i. */
  public List<List<Neighbor>> searchBatch(float[][] queries, int k, int ef, LongPredicate allowed) {
    return searchBatch(queries, k, ef, allowed, ParallelTasks.defaultThreads());
  }

  /**
   * Searches every query with a filter (null: all) on up to {@code threads} threads, the caller
   * included (a Spark task passes its share of the executor's cores); result i is of query i.
   */
  public List<List<Neighbor>> searchBatch(
      float[][] queries, int k, int ef, LongPredicate allowed, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    if (queries == null) {
      throw new IllegalArgumentException("queries must not be null");
    }
    for (int q = 0; q < queries.length; q++) {
      checkQuery(queries[q], "query " + q);
    }
    checkSearch(k, ef);
    lock.readLock().lock();
    try {
      checkBuilt();
      @SuppressWarnings("unchecked")
      List<Neighbor>[] results = new List[queries.length];
      ParallelTasks.run(
          queries.length,
          threads,
          q -> {
            SearchContext context = SearchContext.acquire(m, dimension);
            try {
              results[q] = searchUnlocked(queries[q], k, ef, allowed, context);
            } finally {
              context.release();
            }
          });
      return List.of(results);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * A beam of {@code ef} finds fewer than k results when most nodes it meets are deleted or
   * filtered out; then the beam doubles until k are found (or as many as there are live nodes, or
   * the beam spans the graph), so results stay complete after heavy deletion.
   */
  private List<Neighbor> searchUnlocked(
      float[] query, int k, int ef, LongPredicate allowed, SearchContext context) {
    int size = graph.size();
    long live = size - (long) tombstones.count();
    long wanted = allowed == null ? Math.min(k, live) : Math.min(k, size);
    List<Neighbor> result = searchBeam(query, k, ef, allowed, context);
    while (result.size() < wanted && ef < size) {
      ef = (int) Math.min(2L * ef, size);
      result = searchBeam(query, k, ef, allowed, context);
    }
    if (result.size() < wanted) {
      // live nodes the walk cannot reach (their only links lead through deleted nodes that
      // lost theirs, or a rare unlinked node): score every live node
      result = searchExactly(query, k, allowed, context);
    }
    return result;
  }

  /** Scores every live node that passes {@code allowed} (null: all). */
  private List<Neighbor> searchExactly(
      float[] query, int k, LongPredicate allowed, SearchContext context) {
    TopK best = new TopK(k);
    int size = graph.size();
    float[] prepared = scorer.prepare(query, context.query);
    for (int node = 0; node < size; node++) {
      if (!tombstones.contains(node) && (allowed == null || allowed.test(node))) {
        best.offer(node, scorer.score(prepared, node, context.scratch));
      }
    }
    return reported(query, best, context);
  }

  /** TopK of ranking scores as neighbours with reported distances. */
  private List<Neighbor> reported(float[] query, TopK best, SearchContext context) {
    List<Neighbor> ranked = best.toSortedList();
    Neighbor[] result = new Neighbor[ranked.size()];
    for (int i = 0; i < result.length; i++) {
      Neighbor n = ranked.get(i);
      result[i] = reported(query, (int) n.id(), n.distance(), context);
    }
    return sortedList(result);
  }

  /** The seed's distance for a ranking score, re-scored from the vectors where they differ. */
  private Neighbor reported(float[] query, int node, float score, SearchContext context) {
    return new Neighbor(
        node,
        scorer.scoresAreExact()
            ? scorer.distance(score)
            : scorer.exactDistance(query, node, context.scratch));
  }

  /** Results in ascending (distance, id), which re-scored distances may have reordered. */
  private List<Neighbor> sortedList(Neighbor[] result) {
    if (!scorer.scoresAreExact()) {
      Arrays.sort(result, Neighbor.ORDER);
    }
    return List.of(result);
  }

  private List<Neighbor> searchBeam(
      float[] query, int k, int ef, LongPredicate allowed, SearchContext context) {
    long state = entry.state;
    if (state == EntryPoint.EMPTY) {
      return List.of();
    }
    CodesScorer codes = codesScorer;
    VectorScorer walker = codes != null ? codes : scorer;
    int candidates = codes != null ? (int) Math.min((long) rerank() * k, Integer.MAX_VALUE) : k;
    float[] prepared = walker.prepare(query, context.query);
    long closest =
        GraphSearch.descend(
            graph, walker, context, prepared, EntryPoint.node(state), EntryPoint.level(state), 0);
    int[] entries = context.entries(1);
    entries[0] = LongHeap.node(closest);
    if (candidates > ef) {
      // a walk on codes: a beam of ef, re-ranking the best candidates of all it scored
      GraphSearch.searchLayer(
          graph, walker, context, prepared, entries, 1, 0, ef, candidates, tombstones, allowed);
    } else {
      GraphSearch.searchLayer(
          graph, walker, context, prepared, entries, 1, 0, ef, tombstones, allowed);
    }
    int found = context.drainResults();
    long[] sorted = context.sorted();
    if (codes != null) {
      // the walk's best candidates by their codes, re-ranked by their float32 vectors in the
      // order of their bounds, until no other can enter the results
      int count = Math.min(candidates, found);
      double queryNorm = codes.queryNorm(query);
      for (int i = 0; i < count; i++) {
        int node = LongHeap.node(sorted[i]);
        sorted[i] =
            LongHeap.encode(codes.lowerBound(LongHeap.score(sorted[i]), node, queryNorm), node);
      }
      float[] scratch = context.scratch;
      Rerank.Reader reader =
          new Rerank.Reader() {
            @Override
            public int touch(int[] nodes, int n) {
              return scorer.touch(nodes, n);
            }

            @Override
            public float exactDistance(int node) {
              return scorer.exactDistance(query, node, scratch);
            }
          };
      return List.of(Rerank.best(sorted, count, k, context.entries(count), reader, context));
    }
    int count = Math.min(k, found);
    if (!scorer.scoresAreExact()) {
      // the results are read again to be re-scored: their reads start together
      int[] nodes = context.entries(count);
      for (int i = 0; i < count; i++) {
        nodes[i] = LongHeap.node(sorted[i]);
      }
      context.touched += scorer.touch(nodes, count);
    }
    Neighbor[] result = new Neighbor[count];
    for (int i = 0; i < count; i++) {
      long code = sorted[i];
      result[i] = reported(query, LongHeap.node(code), LongHeap.score(code), context);
    }
    return sortedList(result);
  }

  /**
   * Appends {@code vectors} to the {@code .vec} file (durably, in place) and links them into the
   * graph on all cores; returns the id of the first new vector. A mapped graph is first copied into
   * the heap. Save the index afterwards to persist the new nodes. Vectors the graph did not cover
   * yet (see {@link #open}) are linked too, before the new ones.
   */
  public long add(float[][] vectors) throws IOException {
    if (vectors == null) {
      throw new IllegalArgumentException("vectors must not be null");
    }
    for (int i = 0; i < vectors.length; i++) {
      checkQuery(vectors[i], "vector " + i);
    }
    lock.writeLock().lock();
    try {
      checkOpen();
      checkBuilt();
      int first = (int) store.size();
      int indexed = graph.size();
      if ((long) first + vectors.length > Integer.MAX_VALUE - 1) {
        throw new IllegalArgumentException(
            "adding " + vectors.length + " vectors to " + first + " exceeds the index's int ids");
      }
      if (vectors.length == 0 && indexed == first) {
        return first;
      }
      if (vectors.length > 0) {
        VectorStore.append(store.path(), vectors);
      }
      VectorStore reopened = VectorStore.open(store.path());
      reopened.adviseRandomAccess();
      if (reopened.size() != (long) first + vectors.length) {
        reopened.close();
        throw new IOException(
            store.path()
                + ": expected "
                + (first + vectors.length)
                + " vectors after the append, found "
                + reopened.size()
                + " (another writer?)");
      }
      // the previous mapping is not closed: readers may still hold it from store(); closing only
      // drops its buffers, which the collector does once nobody reads through it
      store = reopened;
      ownsStore = true;
      scorer = new StoreScorer(reopened, metric, kernel);
      if (codesScorer != null) {
        // new vectors are encoded with the trained ranges, before any search can visit them
        attach(codesScorer.codes().extendTo(reopened));
      }
      HeapGraph heap = graph instanceof HeapGraph ? (HeapGraph) graph : HeapGraph.copyOf(graph);
      graph = heap;
      // vectors of an add whose graph was never saved are linked first (see open)
      int linked = first + vectors.length - indexed;
      heap.addNodes(GraphBuilder.drawLevels(random, linked, m), 0, linked);
      tombstones.grow(heap.size());
      insert(heap, indexed, heap.size(), ParallelTasks.defaultThreads());
      return first;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Marks {@code id} deleted: it is never returned again but still routes searches. Returns false
   * if it was already deleted.
   */
  public boolean delete(long id) {
    lock.writeLock().lock();
    try {
      checkBuilt();
      checkId(id);
      return tombstones.add((int) id);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Whether {@code id} was deleted. */
  public boolean isDeleted(long id) {
    lock.readLock().lock();
    try {
      checkBuilt();
      checkId(id);
      return tombstones.contains((int) id);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Writes the graph, its parameters and its tombstones to {@code path} atomically (temporary file,
   * fsync, rename). The vectors stay in the {@code .vec} file.
   */
  public void save(Path path) throws IOException {
    if (path == null) {
      throw new IllegalArgumentException("path must not be null");
    }
    lock.readLock().lock();
    try {
      checkBuilt();
      HnswFile.write(path, graph, metric, efConstruction, dimension, entry.state, tombstones);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Trains 8-bit codes of the store's vectors ({@link Int8Codes}: a quarter of the float32 bytes),
   * writes them to {@code codesPath} atomically, and walks the graph on them from now on: each
   * search re-scores its best {@link #rerank} × k candidates exactly from the float32 vectors, so
   * it reports exact distances. {@link #open(Path, Path, Path)} reopens an index with its codes.
   */
  public void quantize(Path codesPath) throws IOException {
    quantize(codesPath, QuantizedCodes.Kind.INT8);
  }

  /**
   * As {@link #quantize(Path)} with codes of {@code kind}: {@code INT8}, or {@code PQ}, product
   * quantization ({@link io.zerocopy.engine.codes.PqCodes}: one byte per 4 dimensions, 1/16 of the
   * float32 bytes, re-ranking {@link #DEFAULT_PQ_RERANK} × k by default, {@link
   * #DEFAULT_WIDE_PQ_RERANK} × k from {@link #PQ_MANY_SUBSPACES} sub-spaces on).
   */
  public void quantize(Path codesPath, QuantizedCodes.Kind kind) throws IOException {
    lock.writeLock().lock();
    try {
      checkOpen();
      QuantizedCodes.write(kind, codesPath, store, metric);
      attach(QuantizedCodes.open(codesPath, store));
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void attach(QuantizedCodes codes) {
    if (codes.unitVectors() != (metric == Metric.COSINE)) {
      codes.close();
      throw new IllegalArgumentException(
          codes.path()
              + ": codes of "
              + (codes.unitVectors() ? "unit-length vectors" : "vectors as stored")
              + " cannot serve a "
              + metric.id()
              + " index");
    }
    if (codesScorer != null) {
      codesScorer.codes().close();
    }
    codes.adviseRandomAccess(); // read in order once by the open's checksum, by walks at random
    codesScorer = new CodesScorer(codes, scorer, metric, kernel, m);
  }

  /** The codes file searches walk on, or null when they walk on the float32 vectors. */
  public Path codesPath() {
    lock.readLock().lock();
    try {
      return codesScorer == null ? null : codesScorer.codes().path();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Over-sampling of searches on codes: the best {@code factor} × k candidates of the walk are
   * re-scored exactly ({@link #DEFAULT_RERANK} for 8-bit codes, {@link #DEFAULT_PQ_RERANK} or
   * {@link #DEFAULT_WIDE_PQ_RERANK} for product quantization, unless set). The beam stays ef wide
   * and keeps the best {@code factor} × k of all the nodes it scores: over-sampling widens the
   * re-ranking, not the walk.
   */
  public void setRerank(int factor) {
    if (factor < 1) {
      throw new IllegalArgumentException("rerank must be >= 1, got " + factor);
    }
    lock.writeLock().lock();
    try {
      rerank = factor;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The over-sampling in effect: as set, else the default of the codes' kind. */
  public int rerank() {
    if (rerank > 0) {
      return rerank;
    }
    CodesScorer codes = codesScorer;
    if (codes == null || codes.codes().kind() != QuantizedCodes.Kind.PQ) {
      return DEFAULT_RERANK;
    }
    return codes.codes().codeBytes() >= PQ_MANY_SUBSPACES
        ? DEFAULT_WIDE_PQ_RERANK
        : DEFAULT_PQ_RERANK;
  }

  /**
   * The seed's statistics: num_vectors, dimension, num_layers, total_connections (directed links
   * over all layers), max_connections (the longest list), avg_connections (total / num_vectors);
   * plus num_deleted, num_unindexed (vectors of the store the graph does not cover, see {@link
   * #open}), m, ef_construction and metric.
   */
  public Map<String, Object> stats() {
    lock.readLock().lock();
    try {
      checkBuilt();
      int n = graph.size();
      long total = 0;
      int longest = 0;
      int[] buffer = new int[2 * m];
      for (int node = 0; node < n; node++) {
        for (int l = graph.level(node); l >= 0; l--) {
          int count = graph.neighbors(node, l, buffer);
          total += count;
          longest = Math.max(longest, count);
        }
      }
      long state = entry.state;
      Map<String, Object> stats = new LinkedHashMap<>();
      stats.put("num_vectors", (long) n);
      stats.put("dimension", dimension);
      stats.put("num_layers", state == EntryPoint.EMPTY ? 0 : EntryPoint.level(state) + 1);
      stats.put("total_connections", total);
      stats.put("max_connections", longest);
      stats.put("avg_connections", n == 0 ? 0.0 : (double) total / n);
      stats.put("num_deleted", (long) tombstones.count());
      stats.put("num_unindexed", store.size() - n);
      stats.put("m", m);
      stats.put("ef_construction", efConstruction);
      stats.put("metric", metric.id());
      stats.put("quantization", codesScorer == null ? "none" : codesScorer.codes().kind().id());
      return Collections.unmodifiableMap(stats);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Nodes in the graph, deleted ones included (before a build: the store's size). */
  public long size() {
    lock.readLock().lock();
    try {
      return graph == null ? store.size() : graph.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  public int dimension() {
    return dimension;
  }

  public Metric metric() {
    return metric;
  }

  public int m() {
    return m;
  }

  public int efConstruction() {
    return efConstruction;
  }

  /**
   * The store searched now: after {@link #add} a new mapping of the same file. A store returned
   * before an add stays readable with its old size.
   */
  public VectorStore store() {
    lock.readLock().lock();
    try {
      return store;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Whether the graph is searched from a mapped {@code .hnsw} file. */
  public boolean isMapped() {
    lock.readLock().lock();
    try {
      return graph instanceof MappedGraph;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The graph searched now (for tests in this package). */
  GraphView graphView() {
    lock.readLock().lock();
    try {
      return graph;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Drops the graph and closes the store if this index opened it; later calls fail. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (ownsStore && store != null) {
        store.close();
      }
      if (codesScorer != null) {
        codesScorer.codes().close();
      }
      graph = null;
      closed = true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Closes the index and unmaps its files now: the mapped graph, and the store if this index opened
   * it ({@link VectorStore#unmap}). Only when no thread searches or reads this index any more, now
   * or later: a read after this call may crash the JVM.
   */
  public void unmap() {
    lock.writeLock().lock();
    try {
      GraphView mapped = graph;
      VectorStore owned = ownsStore ? store : null;
      close();
      if (mapped instanceof MappedGraph file) {
        file.unmap();
      }
      if (owned != null) {
        owned.unmap();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(store.path() + ": the index is closed");
    }
  }

  private void checkBuilt() {
    checkOpen();
    if (graph == null) {
      throw new IllegalStateException(
          store.path() + ": the index is not built: call build() first");
    }
  }

  private void checkId(long id) {
    if (id < 0 || id >= graph.size()) {
      throw new IllegalArgumentException(
          "unknown id " + id + ": the index holds ids [0, " + graph.size() + ")");
    }
  }

  private void checkQuery(float[] query, String name) {
    if (query == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    if (query.length != dimension) {
      throw new IllegalArgumentException(
          name + " has dimension " + query.length + ", but the index has dimension " + dimension);
    }
    for (int i = 0; i < query.length; i++) {
      if (!Float.isFinite(query[i])) {
        throw new IllegalArgumentException(
            name + " has a non-finite value " + query[i] + " at index " + i);
      }
    }
  }

  private static void checkSearch(int k, int ef) {
    HnswParameters.checkK(k, "k");
    HnswParameters.checkEf(ef, k, "ef");
  }

  @Override
  public String toString() {
    return "HnswIndex["
        + store.path()
        + ", m="
        + m
        + ", efConstruction="
        + efConstruction
        + ", metric="
        + metric
        + "]";
  }
}
