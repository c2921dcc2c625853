package io.vetch.bolt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/** Checks the freelist page of a meta: its type, its count (plain, or the 0xFFFF form) and each id in range. */
final class Freelist {
  private Freelist() {}

  /** The number of free pages, or 0 when the meta keeps no freelist. */
  static long check(FileChannel channel, Meta meta) throws BoltFormatException {
    if (meta.freelist() == Layout.NO_FREELIST) {
      return 0;
    }
    long id = meta.freelist();
    byte[] page = new PageReader(channel, meta.pageSize(), meta.highWater()).read(id, "freelist");
    String where = "freelist page " + id + " (offset " + id * meta.pageSize() + ")";
    ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
    int type = b.getShort(8) & 0xFFFF;
    if (type != Layout.FREELIST) {
      throw new BoltFormatException(where + " has page type " + Layout.hex(type));
    }
    long count = b.getShort(10) & 0xFFFF;
    int first = Layout.PAGE_HEADER;
    if (count == 0xFFFF) {
      count = b.getLong(first);
      first += 8;
    }
    if (count < 0 || count > (page.length - first) / 8) {
      throw new BoltFormatException(where + " lists " + Long.toUnsignedString(count) + " ids, more than its "
          + page.length + " bytes hold");
    }
    for (int i = 0; i < count; i++) {
      long free = b.getLong(first + 8 * i);
      if (free < 2 || free >= meta.highWater()) {
        throw new BoltFormatException(where + " id " + i + " (offset " + (first + 8 * i) + ") is page " + free
            + ", out of range [2, " + meta.highWater() + ")");
      }
    }
    return count;
  }
}
