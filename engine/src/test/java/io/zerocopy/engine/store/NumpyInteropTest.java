package io.zerocopy.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both directions with real numpy: numpy memory-maps our file with the documented expression, and
 * we open a file that numpy wrote as header bytes + {@code astype('<f4').tobytes()}. The Python
 * comes from {@code -Dzcs.python}, {@code $ZCS_PYTHON}, or {@code python3}.
 */
class NumpyInteropTest {

  private static final String SCRIPT =
      String.join(
          "\n",
          "import struct, sys",
          "import numpy as np",
          "ours, theirs, n, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])",
          "rows = np.arange(n, dtype=np.int64)[:, None]",
          "cols = np.arange(d, dtype=np.int64)[None, :]",
          "expected = (((rows * 31 + cols * 7) % 1000).astype(np.float32) / np.float32(8)"
              + " - np.float32(50)).astype(np.float32)",
          "mm = np.memmap(ours, dtype='<f4', mode='r', offset=32, shape=(n, d))",
          "assert np.array_equal(mm, expected), 'numpy read different values from our .vec'",
          "magic, version, count, dim = struct.unpack('<IIQI', open(ours, 'rb').read(20))",
          "assert (magic, version, count, dim) == (0x56454354, 1, n, d), (magic, version, count, dim)",
          "out = (expected * np.float32(2) + np.float32(1)).astype(np.float32)",
          "with open(theirs, 'wb') as f:",
          "    f.write(struct.pack('<IIQII8x', 0x56454354, 1, n, d, 0))",
          "    f.write(out.astype('<f4').tobytes())",
          "print('ok')");

  @TempDir Path dir;

  @Test
  void numpyReadsOursAndWeReadNumpys() throws Exception {
    int n = 257;
    int d = 19;
    Path ours = dir.resolve("ours.vec");
    Path theirs = dir.resolve("theirs.vec");
    VectorStore.create(ours, VectorStoreTest.vectors(n, d));

    String output = runPython(ours, theirs, n, d);
    assertEquals("ok", output.strip());

    try (VectorStore store = VectorStore.open(theirs)) {
      assertEquals(n, store.size());
      assertEquals(d, store.dimension());
      for (int i = 0; i < n; i++) {
        float[] v = store.get(i);
        for (int j = 0; j < d; j++) {
          assertEquals(VectorStoreTest.value(i, j) * 2f + 1f, v[j], "row " + i + " col " + j);
        }
      }
    }
  }

  private String runPython(Path ours, Path theirs, int n, int d)
      throws IOException, InterruptedException {
    String python =
        System.getProperty("zcs.python", System.getenv().getOrDefault("ZCS_PYTHON", "python3"));
    Path script = dir.resolve("interop.py");
    Files.writeString(script, SCRIPT);
    Process process =
        new ProcessBuilder(
                List.of(
                    python, script.toString(), ours.toString(), theirs.toString(), "" + n, "" + d))
            .redirectErrorStream(true)
            .start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("python interop script timed out");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new AssertionError(
          "python '"
              + python
              + "' failed (exit "
              + process.exitValue()
              + "). It needs numpy: run scripts/test.sh, which makes .venv, or set -Dzcs.python."
              + "\n"
              + output);
    }
    return output;
  }
}
