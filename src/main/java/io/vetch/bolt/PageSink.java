package io.vetch.bolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Hands out page ids from 2 upwards (0 and 1 are the meta pages) and writes pages at their place in the file. */
final class PageSink {
  private final FileChannel channel;
  private final int pageSize;
  private long next = 2;

  PageSink(FileChannel channel, int pageSize) {
    this.channel = channel;
    this.pageSize = pageSize;
  }

  int pageSize() {
    return pageSize;
  }

  /** The high-water mark: the first page id not yet used. */
  long next() {
    return next;
  }

  /** Reserves pages for a page image of bytes bytes (header included) and returns the first id. */
  long allocate(long bytes) {
    long id = next;
    next += (bytes + pageSize - 1) / pageSize;
    return id;
  }

  /** Writes a page image (a whole number of pages) starting at page id. */
  void write(long id, byte[] image) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(image);
    long pos = id * pageSize;
    while (b.hasRemaining()) {
      pos += channel.write(b, pos);
    }
  }
}
