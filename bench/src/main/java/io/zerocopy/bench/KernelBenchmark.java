package io.zerocopy.bench;

import io.zerocopy.engine.distance.VectorKernel;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * (a) The distance kernels, SIMD ({@link VectorKernel#selected()}, which must be the Vector API
 * one) against scalar ({@link VectorKernel#scalar()}), on one pair of vectors that stays in L1.
 * Every parameter combination runs in its own JVM, so each call site sees one kernel.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx512m"})
public class KernelBenchmark {

  @Param({"128", "384", "768", "1536"})
  int dimension;

  @Param({"simd", "scalar"})
  String kernel;

  private VectorKernel impl;
  private float[] a;
  private float[] b;

  @Setup
  public void setUp() {
    impl = kernel.equals("simd") ? VectorKernel.selected() : VectorKernel.scalar();
    if (kernel.equals("simd") && !impl.name().equals("panama")) {
      throw new IllegalStateException(
          "the SIMD kernel was not selected (got '"
              + impl.name()
              + "'): run with --add-modules jdk.incubator.vector on a JVM with C2");
    }
    SplittableRandom random = new SplittableRandom(42);
    a = new float[dimension];
    b = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      a[i] = (float) (random.nextDouble() * 2 - 1);
      b[i] = (float) (random.nextDouble() * 2 - 1);
    }
  }

  @Benchmark
  public float dot() {
    return impl.dot(a, 0, b, 0, dimension);
  }

  @Benchmark
  public float squareDistance() {
    return impl.squareDistance(a, 0, b, 0, dimension);
  }

  @Benchmark
  public float cosine() {
    return impl.cosineDistance(a, 0, b, 0, dimension);
  }
}
