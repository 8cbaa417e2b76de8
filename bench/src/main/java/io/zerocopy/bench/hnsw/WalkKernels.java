package io.zerocopy.bench.hnsw;

import io.zerocopy.engine.distance.MappedKernel;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.distance.VectorKernel;
import io.zerocopy.engine.store.VectorStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What scoring one visited vector costs a graph walk, kernel by kernel, apart from the walk: the
 * vector copied out of the mapping and scored by the array kernel (the JDK 20-21 path), scored in
 * place one at a time, in place four at once (the walk's {@link MappedKernel#walkScores}) and eight
 * at once ({@link MappedKernel#walkScores8}, where the kernel has it: 512-bit vectors). Each round
 * scores 16 vectors at random ids of the first mapping: "hot" keeps the same 16 (in the CPU's
 * caches: the instructions' cost), "cold" draws 16 new ones (in the page cache, out of the CPU's
 * caches: what a walk waits for). Modes alternate within each repetition; the first three are
 * warm-up. Prints a Markdown table on stdout.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks.jar io.zerocopy.bench.hnsw.WalkKernels \
 *   --train train.vec --metric l2 [--rounds 40000]
 * </pre>
 */
public final class WalkKernels {

  private static final int BATCH = 16;
  private static final int REPETITIONS = 8;
  private static final int WARMUP = 3;

  private WalkKernels() {}

  public static void main(String[] args) throws Exception {
    Path train = null;
    Metric metric = Metric.L2;
    int rounds = 40_000;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value");
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--train" -> train = Path.of(v);
        case "--metric" -> metric = Metric.parse(v);
        case "--rounds" -> rounds = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
      }
    }
    if (train == null) {
      throw new IllegalArgumentException("--train is required");
    }
    try (VectorStore store = VectorStore.open(train)) {
      run(store, metric, rounds);
    }
  }

  private static void run(VectorStore store, Metric metric, int rounds) {
    VectorKernel kernel = VectorKernel.selected();
    MappedKernel inPlace = MappedKernel.matching(kernel);
    int d = store.dimension();
    ByteBuffer mapping = store.mapping(0);
    Object view = inPlace == null ? null : inPlace.view(mapping);
    int ids = (int) Math.min(store.size(), mapping.capacity() / ((long) d * Float.BYTES));
    float[] query = store.get(0);
    MappedKernel.WalkScore score =
        switch (metric) {
          case L2 -> MappedKernel.WalkScore.SQUARE_DISTANCE;
          case DOT -> MappedKernel.WalkScore.NEGATED_DOT;
          case COSINE -> MappedKernel.WalkScore.COSINE_TO_UNIT;
        };
    if (metric == Metric.COSINE) {
      float norm = (float) Math.sqrt(kernel.dot(query, 0, query, 0, d));
      for (int i = 0; i < d; i++) {
        query[i] /= norm;
      }
    }
    String[] modes = {
      "copy, then the array kernel",
      "in place, one at a time",
      "in place, four at once",
      "in place, eight at once"
    };
    int modeCount = inPlace == null ? 1 : inPlace.scoresEight() ? 4 : 3;
    float[] lanes = new float[256];
    double[][] nanos = new double[2][modeCount];
    float[] block = new float[BATCH * d];
    float[] out = new float[BATCH];
    int[] batch = new int[BATCH];
    SplittableRandom random = new SplittableRandom(1);
    double sink = 0;
    for (int hot = 0; hot < 2; hot++) {
      int n = hot == 1 ? 10 * rounds : rounds;
      for (int rep = 0; rep < REPETITIONS; rep++) {
        for (int mode = 0; mode < modeCount; mode++) {
          long start = System.nanoTime();
          for (int r = 0; r < n; r++) {
            if (hot == 0 || r == 0) {
              for (int i = 0; i < BATCH; i++) {
                batch[i] = random.nextInt(ids);
              }
            }
            switch (mode) {
              case 0 -> {
                for (int i = 0; i < BATCH; i++) {
                  store.read(batch[i], block, i * d);
                  out[i] = arrayScore(kernel, metric, query, block, i * d, d);
                }
              }
              case 1 -> {
                for (int i = 0; i < BATCH; i++) {
                  out[i] = inPlace.walkScore(score, query, d, mapping, view, batch[i] * d * 4);
                }
              }
              case 3 -> {
                for (int i = 0; i < BATCH; i += 8) {
                  inPlace.walkScores8(
                      score,
                      query,
                      d,
                      mapping,
                      view,
                      batch[i] * d * 4,
                      batch[i + 1] * d * 4,
                      batch[i + 2] * d * 4,
                      batch[i + 3] * d * 4,
                      batch[i + 4] * d * 4,
                      batch[i + 5] * d * 4,
                      batch[i + 6] * d * 4,
                      batch[i + 7] * d * 4,
                      lanes,
                      out,
                      i);
                }
              }
              default -> {
                for (int i = 0; i < BATCH; i += 4) {
                  inPlace.walkScores(
                      score,
                      query,
                      d,
                      mapping,
                      view,
                      batch[i] * d * 4,
                      mapping,
                      view,
                      batch[i + 1] * d * 4,
                      mapping,
                      view,
                      batch[i + 2] * d * 4,
                      mapping,
                      view,
                      batch[i + 3] * d * 4,
                      out,
                      i);
                }
              }
            }
            sink += out[BATCH - 1];
          }
          if (rep >= WARMUP) {
            nanos[hot][mode] += (System.nanoTime() - start) / (double) n / BATCH;
          }
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%s: %,d x %d, %s; JDK %s, %s%n%n",
        store.path().getFileName(),
        ids,
        d,
        metric.name().toLowerCase(Locale.ROOT),
        Runtime.version(),
        inPlace == null ? "no in-place kernel (" + kernel.name() + ")" : "kernel " + kernel.name());
    System.out.println("| scoring one visited vector | hot, ns | cold, ns |");
    System.out.println("|---|---:|---:|");
    int measured = REPETITIONS - WARMUP;
    for (int mode = 0; mode < modeCount; mode++) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %.1f | %.1f |%n",
          modes[mode],
          nanos[1][mode] / measured,
          nanos[0][mode] / measured);
    }
    System.out.println();
    System.err.println("(checksum " + sink + ")");
  }

  private static float arrayScore(
      VectorKernel kernel, Metric metric, float[] unit, float[] block, int offset, int d) {
    return switch (metric) {
      case L2 -> kernel.squareDistance(unit, 0, block, offset, d);
      case DOT -> -kernel.dot(unit, 0, block, offset, d);
      case COSINE -> kernel.cosineDistanceToUnit(unit, 0, block, offset, d);
    };
  }
}
