package io.zerocopy.examples;

import io.zerocopy.datasets.FashionMnist;
import io.zerocopy.datasets.FashionMnist.Split;
import io.zerocopy.engine.distance.Distance;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.search.ParallelTasks;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The engine end to end on real data: converts Fashion-MNIST into {@code .vec} files (once, into
 * the cache), maps them, runs exact L2 searches for a sample of test images — one at a time and as
 * one batch — and prints the neighbours with their labels, how often the labels agree, the timings
 * and the distance kernel that ran.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... io.zerocopy.examples.EngineDemo \
 *     [--queries 5] [--batch 1000] [--k 10] [--threads N]
 * </pre>
 */
public final class EngineDemo {

  /** What to run; {@link #parse} reads it from the command line. */
  public record Options(int queries, int batch, int k, int threads) {

    public Options {
      positive("--queries", queries, 0);
      positive("--batch", batch, 0);
      positive("--k", k, 1);
      positive("--threads", threads, 1);
      if (queries > Split.TEST.count() || batch > Split.TEST.count()) {
        throw new IllegalArgumentException(
            "--queries and --batch must be at most " + Split.TEST.count() + " (the test images)");
      }
    }

    private static void positive(String name, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
      }
    }

    public static Options defaults() {
      return new Options(5, 1000, 10, ParallelTasks.defaultThreads());
    }

    public static Options parse(String... args) {
      int queries = 5, batch = 1000, k = 10, threads = ParallelTasks.defaultThreads();
      for (int i = 0; i < args.length; i++) {
        String name = args[i];
        if (name.equals("-h") || name.equals("--help")) {
          throw new IllegalArgumentException(
              "usage: EngineDemo [--queries N] [--batch N] [--k N] [--threads N]");
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + name + " needs a value");
        }
        int value;
        try {
          value = Integer.parseInt(args[++i]);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "option " + name + " needs a whole number, got '" + args[i] + "'");
        }
        switch (name) {
          case "--queries" -> queries = value;
          case "--batch" -> batch = value;
          case "--k" -> k = value;
          case "--threads" -> threads = value;
          default ->
              throw new IllegalArgumentException(
                  "unknown option '" + name + "': expected --queries, --batch, --k or --threads");
        }
      }
      return new Options(queries, batch, k, threads);
    }
  }

  /** The figures a run printed, for tests and callers. */
  public record Summary(
      String kernel,
      long trainVectors,
      int dimension,
      double singleAgreement,
      double batchAgreement,
      double batchAccuracy,
      double singleMsPerQuery,
      double batchQueriesPerSecond) {}

  private EngineDemo() {}

  public static void main(String[] args) throws IOException {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    run(FashionMnist.standard(), options, System.out);
  }

  /** Runs the demo on {@code data}, printing to {@code out}. */
  public static Summary run(FashionMnist data, Options options, PrintStream out)
      throws IOException {
    out.println("Zero-Copy Search: exact k-NN on Fashion-MNIST (L2, 784-d pixel vectors)");
    out.println("distance kernel: " + Distance.kernelName());

    long start = System.nanoTime();
    boolean cached = Files.isRegularFile(data.cacheDir().resolve("train-images.vec"));
    Path trainVec = data.vectors(Split.TRAIN);
    Path testVec = data.vectors(Split.TEST);
    int[] trainLabels = FashionMnist.toInts(data.labels(Split.TRAIN));
    int[] testLabels = FashionMnist.toInts(data.labels(Split.TEST));
    out.printf(
        Locale.ROOT,
        "data: %s (%s, %.1f s)%n",
        data.cacheDir(),
        cached ? "cached" : "converted from " + data.sourceDir(),
        seconds(System.nanoTime() - start));

    try (VectorStore train = VectorStore.open(trainVec);
        VectorStore test = VectorStore.open(testVec)) {
      long storeBytes = train.size() * train.dimension() * (long) Float.BYTES;
      out.printf(
          Locale.ROOT,
          "train: %,d x %d mapped (%.1f MB), test: %,d queries available; k=%d, %d threads%n%n",
          train.size(),
          train.dimension(),
          storeBytes / 1e6,
          test.size(),
          options.k(),
          options.threads());

      double singleAgreement = Double.NaN;
      double singleMs = Double.NaN;
      if (options.queries() > 0) {
        // a few untimed queries so that the timings below are less the JIT's
        for (int w = 0; w < 3; w++) {
          BruteForce.search(train, test.get(w), options.k(), Metric.L2, options.threads());
        }
        int agree = 0;
        long totalNanos = 0;
        for (int s = 0; s < options.queries(); s++) {
          int id = sample(s, options.queries(), (int) test.size());
          float[] query = test.get(id);
          long t0 = System.nanoTime();
          List<Neighbor> hits =
              BruteForce.search(train, query, options.k(), Metric.L2, options.threads());
          long nanos = System.nanoTime() - t0;
          totalNanos += nanos;
          int label = testLabels[id];
          int same = printQuery(out, id, label, hits, trainLabels, nanos, storeBytes);
          agree += same;
        }
        singleAgreement =
            agree / (double) (options.queries() * Math.min(options.k(), train.size()));
        singleMs = totalNanos / 1e6 / options.queries();
        out.printf(
            Locale.ROOT,
            "single queries: %d, %.2f ms/query, %.1f queries/s, %.2f GB/s scanned,"
                + " label agreement %.1f%%%n%n",
            options.queries(),
            singleMs,
            1e3 / singleMs,
            storeBytes / (singleMs / 1e3) / 1e9,
            100 * singleAgreement);
      }

      double batchAgreement = Double.NaN;
      double batchAccuracy = Double.NaN;
      double batchQps = Double.NaN;
      if (options.batch() > 0) {
        float[][] queries = new float[options.batch()][];
        int[] ids = new int[options.batch()];
        for (int s = 0; s < queries.length; s++) {
          ids[s] = sample(s, queries.length, (int) test.size());
          queries[s] = test.get(ids[s]);
        }
        long t0 = System.nanoTime();
        List<List<Neighbor>> results =
            BruteForce.searchBatch(train, queries, options.k(), Metric.L2, options.threads());
        long nanos = System.nanoTime() - t0;
        long agree = 0, neighbours = 0, correct = 0;
        for (int q = 0; q < queries.length; q++) {
          int label = testLabels[ids[q]];
          int[] votes = new int[FashionMnist.CLASSES];
          for (Neighbor n : results.get(q)) {
            int l = trainLabels[(int) n.id()];
            votes[l]++;
            agree += l == label ? 1 : 0;
            neighbours++;
          }
          correct += argMax(votes) == label ? 1 : 0;
        }
        batchAgreement = agree / (double) neighbours;
        batchAccuracy = correct / (double) queries.length;
        double secondsTaken = seconds(nanos);
        batchQps = queries.length / secondsTaken;
        out.printf(
            Locale.ROOT,
            "batch: %d queries in %.2f s: %.3f ms/query, %.1f queries/s,"
                + " %.2f GB/s of distance work (queries x file size / time; the file is read"
                + " once per block of queries)%n",
            queries.length,
            secondsTaken,
            secondsTaken * 1e3 / queries.length,
            batchQps,
            queries.length * (double) storeBytes / secondsTaken / 1e9);
        out.printf(
            Locale.ROOT,
            "batch: label agreement %.1f%% of neighbours; %d-NN majority vote classifies %.1f%%"
                + " of the queries correctly%n",
            100 * batchAgreement,
            options.k(),
            100 * batchAccuracy);
      }
      return new Summary(
          Distance.kernelName(),
          train.size(),
          train.dimension(),
          singleAgreement,
          batchAgreement,
          batchAccuracy,
          singleMs,
          batchQps);
    }
  }

  private static int printQuery(
      PrintStream out,
      int id,
      int label,
      List<Neighbor> hits,
      int[] trainLabels,
      long nanos,
      long storeBytes) {
    out.printf(
        Locale.ROOT,
        "query: test image %d, %s: %.2f ms, %.2f GB/s scanned%n",
        id,
        FashionMnist.labelName(label),
        nanos / 1e6,
        storeBytes / (nanos / 1e9) / 1e9);
    out.printf(Locale.ROOT, "  %4s  %8s  %9s  %-12s%n", "rank", "train id", "distance", "label");
    int same = 0;
    for (int r = 0; r < hits.size(); r++) {
      Neighbor n = hits.get(r);
      int l = trainLabels[(int) n.id()];
      same += l == label ? 1 : 0;
      out.printf(
          Locale.ROOT,
          "  %4d  %8d  %9.1f  %-12s%s%n",
          r + 1,
          n.id(),
          n.distance(),
          FashionMnist.labelName(l),
          l == label ? "" : "  (other class)");
    }
    out.printf(Locale.ROOT, "  label agreement: %d/%d%n%n", same, hits.size());
    return same;
  }

  /** The s-th of n test images, spread evenly over the test set. */
  private static int sample(int s, int n, int available) {
    return (int) ((long) s * available / n);
  }

  private static int argMax(int[] votes) {
    int best = 0;
    for (int i = 1; i < votes.length; i++) {
      if (votes[i] > votes[best]) {
        best = i;
      }
    }
    return best;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
