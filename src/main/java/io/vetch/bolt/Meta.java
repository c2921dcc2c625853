package io.vetch.bolt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A meta page's body (64 bytes after the page header): magic u32, version u32, pageSize u32, flags u32, root bucket
 * {root pgid u64, sequence u64}, freelist pgid u64, high-water mark pgid u64, txid u64, checksum u64, where the
 * checksum is FNV-1a 64 over the 56 bytes before it.
 */
record Meta(int pageSize, int flags, long root, long sequence, long freelist, long highWater, long txid) {
  static final int MAGIC = 0xED0CDAED;
  static final int VERSION = 2;
  static final int SIZE = 64;
  private static final int SUMMED = 56;

  /** Writes a whole meta page (header with id pageId and the meta flag, then this meta and its checksum). */
  byte[] page(long pageId) {
    ByteBuffer b = ByteBuffer.allocate(pageSize).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(pageId).putShort((short) Layout.META).putShort((short) 0).putInt(0);
    b.putInt(MAGIC).putInt(VERSION).putInt(pageSize).putInt(flags).putLong(root).putLong(sequence)
        .putLong(freelist).putLong(highWater).putLong(txid);
    b.putLong(fnv(b.array(), Layout.PAGE_HEADER, SUMMED));
    return b.array();
  }

  /**
   * Reads the meta of the page starting at offset in buf (at least PAGE_HEADER + SIZE bytes from there), checked as
   * bbolt does (magic, version, checksum unless zero) plus a sane page size; the page lies at fileOffset in the file.
   */
  static Meta read(byte[] buf, int offset, long fileOffset, String where) throws BoltFormatException {
    ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
    int pageFlags = b.getShort(offset + 8) & 0xFFFF;
    int m = offset + Layout.PAGE_HEADER;
    if (b.getInt(m) != MAGIC) {
      throw new BoltFormatException(where + ": bad magic " + String.format("0x%08x", b.getInt(m)) + " at offset "
          + (fileOffset + Layout.PAGE_HEADER) + " (not a bbolt file?)");
    }
    if ((pageFlags & Layout.META) == 0) {
      throw new BoltFormatException(where + ": page flags " + Layout.hex(pageFlags) + " are not a meta page's");
    }
    if (b.getInt(m + 4) != VERSION) {
      throw new BoltFormatException(where + ": version " + b.getInt(m + 4) + ", only " + VERSION + " is known");
    }
    long sum = b.getLong(m + SUMMED);
    if (sum != 0 && sum != fnv(buf, m, SUMMED)) {
      throw new BoltFormatException(where + ": checksum mismatch at offset "
          + (fileOffset + Layout.PAGE_HEADER + SUMMED));
    }
    long pageSize = Integer.toUnsignedLong(b.getInt(m + 8));
    if (!Layout.validPageSize(pageSize)) {
      throw new BoltFormatException(where + ": page size " + pageSize + " is not a power of two in ["
          + Layout.MIN_PAGE_SIZE + ", " + Layout.MAX_PAGE_SIZE + "]");
    }
    return new Meta((int) pageSize, b.getInt(m + 12), b.getLong(m + 16), b.getLong(m + 24), b.getLong(m + 32),
        b.getLong(m + 40), b.getLong(m + 48));
  }

  /** FNV-1a, 64 bits. */
  static long fnv(byte[] buf, int offset, int length) {
    long h = 0xcbf29ce484222325L;
    for (int i = offset; i < offset + length; i++) {
      h ^= buf[i] & 0xFF;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
