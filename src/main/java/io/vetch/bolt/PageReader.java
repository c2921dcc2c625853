package io.vetch.bolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Reads whole pages (first page plus its overflow) below the high-water mark. Every length is checked against the
 * file before anything is allocated, so a corrupt header cannot ask for more memory than the file holds.
 */
final class PageReader {
  private final FileChannel channel;
  private final int pageSize;
  private final long highWater;

  PageReader(FileChannel channel, int pageSize, long highWater) {
    this.channel = channel;
    this.pageSize = pageSize;
    this.highWater = highWater;
  }

  int pageSize() {
    return pageSize;
  }

  long highWater() {
    return highWater;
  }

  /** The page image of page id (a whole number of pages); its header must name id. */
  byte[] read(long id, String referrer) throws BoltFormatException {
    if (id < 2 || id >= highWater) {
      throw new BoltFormatException("page " + id + " (" + referrer + ") is out of range [2, " + highWater + ")");
    }
    byte[] first = readAt(id, 1);
    ByteBuffer b = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getLong(0) != id) {
      throw new BoltFormatException("page " + id + " (offset " + id * pageSize + "): header names page "
          + b.getLong(0));
    }
    long overflow = Integer.toUnsignedLong(b.getInt(12));
    if (overflow == 0) {
      return first;
    }
    if (overflow >= highWater - id || (overflow + 1) * pageSize > Integer.MAX_VALUE - 8) {
      throw new BoltFormatException("page " + id + " (offset " + id * pageSize + "): overflow " + overflow
          + " runs past the high-water mark " + highWater);
    }
    return readAt(id, overflow + 1);
  }

  private byte[] readAt(long id, long pages) throws BoltFormatException {
    byte[] buf = new byte[(int) (pages * pageSize)];
    ByteBuffer b = ByteBuffer.wrap(buf);
    long pos = id * pageSize;
    try {
      while (b.hasRemaining()) {
        int n = channel.read(b, pos + b.position());
        if (n < 0) {
          throw new BoltFormatException("page " + id + ": file ends at offset " + (pos + b.position()));
        }
      }
    } catch (BoltFormatException e) {
      throw e;
    } catch (IOException e) {
      BoltFormatException f = new BoltFormatException("page " + id + ": read failed: " + e.getMessage());
      f.initCause(e);
      throw f;
    }
    return buf;
  }
}
