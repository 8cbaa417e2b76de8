package io.zerocopy.bench;

import io.zerocopy.datasets.FashionMnist;
import io.zerocopy.datasets.FashionMnist.Split;
import io.zerocopy.engine.store.VectorStore;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Converts Fashion-MNIST into the cache (once) and prints shell assignments for the driver: the two
 * {@code .vec} paths, the training set's shape and its data bytes.
 */
public final class PrepareData {

  private PrepareData() {}

  public static void main(String[] args) throws IOException {
    FashionMnist data = FashionMnist.standard();
    Path train = data.vectors(Split.TRAIN);
    Path test = data.vectors(Split.TEST);
    try (VectorStore store = VectorStore.open(train)) {
      System.out.println("TRAIN_VEC='" + train + "'");
      System.out.println("TEST_VEC='" + test + "'");
      System.out.println("TRAIN_COUNT=" + store.size());
      System.out.println("DIMENSION=" + store.dimension());
      System.out.println("TRAIN_BYTES=" + store.size() * store.dimension() * (long) Float.BYTES);
    }
  }
}
