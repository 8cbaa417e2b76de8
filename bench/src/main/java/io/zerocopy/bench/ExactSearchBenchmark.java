package io.zerocopy.bench;

import io.zerocopy.datasets.FashionMnist;
import io.zerocopy.datasets.FashionMnist.Split;
import io.zerocopy.engine.distance.Metric;
import io.zerocopy.engine.exact.BruteForce;
import io.zerocopy.engine.search.Neighbor;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * (b) Single-query exact search (k=10, L2) over the 60,000 Fashion-MNIST training vectors, mapped,
 * against a plain sequential pass over the same mapping with the same chunking and threads ({@link
 * SequentialScan}): the bandwidth ceiling. One operation reads the whole file once, so bytes per
 * second = operations per second × file size; the driver reports GB/s and the ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 4)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
public class ExactSearchBenchmark {

  @Param({"2"})
  int threads;

  @Param({"10"})
  int k;

  private VectorStore train;
  private float[][] queries;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    FashionMnist data = FashionMnist.standard();
    train = VectorStore.open(data.vectors(Split.TRAIN));
    try (VectorStore test = VectorStore.open(data.vectors(Split.TEST))) {
      queries = new float[100][];
      for (int q = 0; q < queries.length; q++) {
        queries[q] = test.get(q * 100L);
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    train.close();
  }

  @Benchmark
  public List<Neighbor> search() {
    float[] query = queries[next];
    next = (next + 1) % queries.length;
    return BruteForce.search(train, query, k, Metric.L2, threads);
  }

  @Benchmark
  public double scan() {
    return SequentialScan.scan(train, threads);
  }
}
