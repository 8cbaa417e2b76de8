package io.zerocopy.engine.search;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs numbered tasks on up to {@code threads} threads: the caller plus pooled daemon workers. The
 * caller always works too, so nested use cannot starve.
 */
public final class ParallelTasks {

  private static final ExecutorService POOL =
      Executors.newCachedThreadPool(
          new java.util.concurrent.ThreadFactory() {
            private final AtomicInteger counter = new AtomicInteger();

            @Override
            public Thread newThread(Runnable runnable) {
              Thread thread = new Thread(runnable, "zcs-worker-" + counter.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            }
          });

  /** Pooled workers running a task now, and the most seen at once (for tests and monitoring). */
  private static final AtomicInteger ACTIVE_WORKERS = new AtomicInteger();

  private static final AtomicInteger PEAK_WORKERS = new AtomicInteger();

  private ParallelTasks() {}

  /** The most pooled workers (callers not counted) that ran at once since the last reset. */
  public static int peakWorkers() {
    return PEAK_WORKERS.get();
  }

  /** Starts a new {@link #peakWorkers} count. */
  public static void resetPeakWorkers() {
    PEAK_WORKERS.set(ACTIVE_WORKERS.get());
  }

  /** Cores available to this JVM: the default thread count everywhere. */
  public static int defaultThreads() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** Runs {@code body} for every task in {@code [0, taskCount)}; rethrows the first failure. */
  public static void run(int taskCount, int threads, IntConsumer body) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    int workers = Math.min(threads, taskCount);
    if (workers <= 1) {
      for (int task = 0; task < taskCount; task++) {
        body.accept(task);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    Runnable worker =
        () -> {
          for (int task = next.getAndIncrement(); task < taskCount; task = next.getAndIncrement()) {
            body.accept(task);
          }
        };
    @SuppressWarnings("unchecked")
    Future<?>[] futures = new Future<?>[workers - 1];
    Runnable pooled =
        () -> {
          PEAK_WORKERS.accumulateAndGet(ACTIVE_WORKERS.incrementAndGet(), Math::max);
          try {
            worker.run();
          } finally {
            ACTIVE_WORKERS.decrementAndGet();
          }
        };
    for (int i = 0; i < futures.length; i++) {
      futures[i] = POOL.submit(pooled);
    }
    Throwable failure = null;
    try {
      worker.run();
    } catch (RuntimeException | Error e) {
      failure = e;
      next.set(taskCount); // stop the others early
    }
    for (Future<?> future : futures) {
      try {
        future.get();
      } catch (java.util.concurrent.ExecutionException e) {
        if (failure == null) {
          failure = e.getCause();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        if (failure == null) {
          failure = e;
        }
      }
    }
    if (failure instanceof RuntimeException) {
      throw (RuntimeException) failure;
    }
    if (failure instanceof Error) {
      throw (Error) failure;
    }
    if (failure != null) {
      throw new IllegalStateException("parallel task failed", failure);
    }
  }
}
