package io.vetch.bolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the meta page in use, as bbolt's Open and DB.meta do: the page size comes from meta 0, or when meta 0 is
 * damaged from a meta 1 found at a page size boundary; of the metas that validate, the one with the higher txid
 * wins. Then the winner is checked against the file: its page ids below the high-water mark, and the file long
 * enough to hold every page below it.
 */
final class MetaChooser {
  private static final int META_BYTES = Layout.PAGE_HEADER + Meta.SIZE;

  private MetaChooser() {}

  static Meta choose(FileChannel channel) throws IOException {
    long size = channel.size();
    if (size < META_BYTES) {
      throw new BoltFormatException("file is " + size + " bytes, too short for a bbolt meta page (" + META_BYTES
          + " bytes)");
    }
    List<Meta> valid = new ArrayList<>();
    String problem0;
    String problem1 = null;
    List<Long> offsets = new ArrayList<>();
    try {
      Meta m0 = Meta.read(read(channel, 0), 0, 0, "meta page 0 (offset 0)");
      valid.add(m0);
      problem0 = null;
      offsets.add((long) m0.pageSize());
    } catch (BoltFormatException e) {
      problem0 = e.getMessage();
      offsets.add((long) BoltWriter.DEFAULT_PAGE_SIZE);
      for (long p = Layout.MIN_PAGE_SIZE; p <= Layout.MAX_PAGE_SIZE; p *= 2) {
        if (p != BoltWriter.DEFAULT_PAGE_SIZE) {
          offsets.add(p);
        }
      }
    }
    for (long offset : offsets) {
      try {
        if (offset + META_BYTES > size) {
          throw new BoltFormatException("meta page 1 (offset " + offset + "): file ends at " + size);
        }
        Meta m1 = Meta.read(read(channel, offset), 0, offset, "meta page 1 (offset " + offset + ")");
        if (m1.pageSize() != offset) {
          throw new BoltFormatException("meta page 1 (offset " + offset + ") has page size " + m1.pageSize());
        }
        valid.add(m1);
        break;
      } catch (BoltFormatException e) {
        problem1 = problem1 != null ? problem1 : e.getMessage();
      }
    }
    if (valid.isEmpty()) {
      throw new BoltFormatException("no valid meta page: " + problem0 + "; " + problem1);
    }
    Meta m = valid.size() == 2 && valid.get(1).txid() > valid.get(0).txid() ? valid.get(1) : valid.get(0);
    check(m, size);
    return m;
  }

  private static void check(Meta m, long size) throws BoltFormatException {
    String which = "meta (txid " + m.txid() + ")";
    long hw = m.highWater();
    if (hw < 3) {
      throw new BoltFormatException(which + ": high-water mark " + hw + " leaves no room for a root page");
    }
    if (hw > size / m.pageSize()) {
      throw new BoltFormatException("file is truncated: " + size + " bytes, but the " + which + " has " + hw
          + " pages of " + m.pageSize() + " bytes");
    }
    if (m.root() < 2 || m.root() >= hw) {
      throw new BoltFormatException(which + ": root page " + m.root() + " out of range [2, " + hw + ")");
    }
    if (m.freelist() != Layout.NO_FREELIST && (m.freelist() < 2 || m.freelist() >= hw)) {
      throw new BoltFormatException(which + ": freelist page " + m.freelist() + " out of range [2, " + hw + ")");
    }
  }

  private static byte[] read(FileChannel channel, long offset) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(META_BYTES);
    while (b.hasRemaining()) {
      if (channel.read(b, offset + b.position()) < 0) {
        throw new BoltFormatException("file ends at offset " + (offset + b.position()) + " inside a meta page");
      }
    }
    return b.array();
  }
}
