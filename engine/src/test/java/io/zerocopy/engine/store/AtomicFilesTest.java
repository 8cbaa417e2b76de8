package io.zerocopy.engine.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

  @TempDir Path dir;

  @Test
  void replacesTheTargetAndLeavesNoTemporary() throws IOException {
    Path target = dir.resolve("a.bin");
    Files.write(target, new byte[] {9, 9, 9, 9, 9});
    AtomicFiles.write(target, channel -> channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
    assertEquals(List.of("a.bin"), names());
  }

  @Test
  void aFailedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
    Path target = dir.resolve("a.bin");
    Files.write(target, new byte[] {7});
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                AtomicFiles.write(
                    target,
                    channel -> {
                      channel.write(ByteBuffer.wrap(new byte[] {1, 2}));
                      throw new IOException("disk full");
                    }));
    assertEquals("disk full", e.getMessage());
    assertArrayEquals(new byte[] {7}, Files.readAllBytes(target));
    assertEquals(List.of("a.bin"), names());
  }

  @Test
  void aMissingDirectoryIsNamed() {
    Path target = dir.resolve("missing").resolve("a.bin");
    NoSuchFileException e =
        assertThrows(
            NoSuchFileException.class,
            () -> AtomicFiles.write(target, channel -> channel.write(ByteBuffer.allocate(1))));
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void temporaryNamesAreHiddenAndDistinct() throws IOException {
    Path target = dir.resolve("m.json");
    Path first = AtomicFiles.temporaryFor(target);
    Path second = AtomicFiles.temporaryFor(target);
    assertTrue(first.getFileName().toString().startsWith(".m.json."), first.toString());
    assertTrue(first.getFileName().toString().endsWith(".tmp"), first.toString());
    assertTrue(!first.equals(second));
    assertEquals(dir.toAbsolutePath(), first.getParent());
  }

  @Test
  void createIfAbsentNeverReplacesAFile() throws IOException {
    Path target = dir.resolve("v1.json");
    assertTrue(
        AtomicFiles.createIfAbsent(
            target, channel -> channel.write(ByteBuffer.wrap(new byte[] {1}))));
    assertEquals(
        false,
        AtomicFiles.createIfAbsent(
            target, channel -> channel.write(ByteBuffer.wrap(new byte[] {2}))));
    assertArrayEquals(new byte[] {1}, Files.readAllBytes(target));
    assertEquals(List.of("v1.json"), names());
  }

  @Test
  void ofWritersRacingForOneNameExactlyOneWinsAndItsBytesAreWhole() throws Exception {
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      for (int round = 0; round < 50; round++) {
        Path target = dir.resolve("race-" + round);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          byte[] content = new byte[4096];
          java.util.Arrays.fill(content, (byte) w);
          results.add(
              pool.submit(
                  () -> {
                    start.await();
                    return AtomicFiles.createIfAbsent(
                        target, channel -> channel.write(ByteBuffer.wrap(content)));
                  }));
        }
        start.countDown();
        int winners = 0;
        for (Future<Boolean> result : results) {
          winners += result.get() ? 1 : 0;
        }
        assertEquals(1, winners, "round " + round);
        byte[] bytes = Files.readAllBytes(target);
        assertEquals(4096, bytes.length);
        for (byte b : bytes) {
          assertEquals(bytes[0], b, "bytes of two writers mixed");
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue(names().stream().noneMatch(name -> name.endsWith(".tmp")), names().toString());
  }

  private List<String> names() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }
}
