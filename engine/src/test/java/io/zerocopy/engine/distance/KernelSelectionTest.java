package io.zerocopy.engine.distance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

/** CI runs the suite with and without the Vector API: a silent fallback must fail the build. */
class KernelSelectionTest {

  @Test
  void selectsTheKernelThisRunExpects() {
    String expected = System.getProperty("zcs.expectedKernel");
    assertNotNull(
        expected,
        "set -Dzcs.expectedKernel=panama|scalar (the engine pom does this for both runs)");
    assertEquals(expected, Distance.kernelName());
    assertEquals(expected, VectorKernel.selected().name());
  }
}
