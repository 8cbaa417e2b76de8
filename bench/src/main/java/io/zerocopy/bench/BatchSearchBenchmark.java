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
 * (c) Batch exact search: the first {@code queries} Fashion-MNIST test images (1,000) against the
 * 60,000 training vectors, k=10, L2, with {@link BruteForce#searchBatch}. One operation is the
 * whole batch; {@code bench/python/numpy_batch.py} times numpy's matrix-product method on the same
 * files, and the driver reports the ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
public class BatchSearchBenchmark {

  @Param({"1000"})
  int queries;

  @Param({"10"})
  int k;

  @Param({"2"})
  int threads;

  private VectorStore train;
  private float[][] batch;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    FashionMnist data = FashionMnist.standard();
    train = VectorStore.open(data.vectors(Split.TRAIN));
    batch = FirstQueries.read(data.vectors(Split.TEST), queries);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    train.close();
  }

  @Benchmark
  public List<List<Neighbor>> searchBatch() {
    return BruteForce.searchBatch(train, batch, k, Metric.L2, threads);
  }
}
