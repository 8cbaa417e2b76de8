package io.zerocopy.spark.source.write;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.util.zip.CRC32C;

/** A file channel that computes the CRC32C and size of everything written through it. */
final class ChecksummingChannel implements WritableByteChannel {

  private final FileChannel file;
  private final CRC32C crc = new CRC32C();
  private long bytes;

  ChecksummingChannel(FileChannel file) {
    this.file = file;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    ByteBuffer seen = src.duplicate();
    int n = file.write(src);
    seen.limit(seen.position() + n);
    crc.update(seen);
    bytes += n;
    return n;
  }

  long bytes() {
    return bytes;
  }

  long crc32c() {
    return crc.getValue();
  }

  void force() throws IOException {
    file.force(true);
  }

  @Override
  public boolean isOpen() {
    return file.isOpen();
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
