package io.vetch.bolt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One branch or leaf page, checked when parsed: a known type, the element array inside the page, every key and
 * value inside the page after the element array, data regions in element order without overlap, non-empty keys in
 * strictly ascending order, only known element flags, and for branches child ids in range.
 */
final class Node {
  private final byte[] buf;
  private final String where;
  private final boolean leaf;
  private final int count;
  private final int[] keyAt;
  private final int[] keyLen;
  private final int[] valueLen;
  private final int[] flags;
  private final long[] child;

  /**
   * Parses the page at [offset, offset + length) of buf; where names it in messages ("page 7", or "inline bucket
   * x"). Children must be in [2, highWater).
   */
  Node(byte[] buf, int offset, int length, String where, long highWater) throws BoltFormatException {
    this.buf = buf;
    this.where = where;
    if (length < Layout.PAGE_HEADER) {
      throw fail("is " + length + " bytes, shorter than a page header");
    }
    ByteBuffer b = ByteBuffer.wrap(buf, offset, length).order(ByteOrder.LITTLE_ENDIAN);
    int type = b.getShort(offset + 8) & 0xFFFF;
    if (type != Layout.BRANCH && type != Layout.LEAF) {
      throw fail("has page type " + Layout.hex(type) + " where a branch or leaf page belongs");
    }
    leaf = type == Layout.LEAF;
    count = b.getShort(offset + 10) & 0xFFFF;
    long dataStart = Layout.PAGE_HEADER + (long) Layout.ELEMENT * count;
    if (dataStart > length) {
      throw fail("has " + count + " elements, more than its " + length + " bytes hold");
    }
    if (!leaf && count == 0) {
      throw fail("is a branch page without elements");
    }
    keyAt = new int[count];
    keyLen = new int[count];
    valueLen = new int[count];
    flags = new int[count];
    child = leaf ? null : new long[count];
    long end = dataStart;
    for (int i = 0; i < count; i++) {
      int at = offset + Layout.PAGE_HEADER + Layout.ELEMENT * i;
      long pos;
      if (leaf) {
        flags[i] = b.getInt(at);
        pos = Integer.toUnsignedLong(b.getInt(at + 4));
        keyLen[i] = b.getInt(at + 8);
        valueLen[i] = b.getInt(at + 12);
        if ((flags[i] & ~Layout.BUCKET_LEAF) != 0) {
          throw fail("element " + i + " (offset " + (at - offset) + ") has unknown flags " + Layout.hex(flags[i]));
        }
      } else {
        pos = Integer.toUnsignedLong(b.getInt(at));
        keyLen[i] = b.getInt(at + 4);
        child[i] = b.getLong(at + 8);
        if (child[i] < 2 || child[i] >= highWater) {
          throw fail("element " + i + " (offset " + (at - offset) + ") points to page " + child[i]
              + ", out of range [2, " + highWater + ")");
        }
      }
      long start = at - offset + pos;
      long stop = start + Integer.toUnsignedLong(keyLen[i]) + Integer.toUnsignedLong(valueLen[i]);
      if (keyLen[i] <= 0 || valueLen[i] < 0 || start < end || stop > length) {
        throw fail("element " + i + " (offset " + (at - offset) + "): key of " + Integer.toUnsignedLong(keyLen[i])
            + " and value of " + Integer.toUnsignedLong(valueLen[i]) + " bytes at offset " + start
            + " overlap the elements before it or run past the page's " + length + " bytes");
      }
      keyAt[i] = (int) (offset + start);
      end = stop;
      if (i > 0 && Arrays.compareUnsigned(buf, keyAt[i - 1], keyAt[i - 1] + keyLen[i - 1], buf, keyAt[i],
          keyAt[i] + keyLen[i]) >= 0) {
        throw fail("element " + i + " (offset " + (at - offset) + "): key not above the one before it");
      }
    }
  }

  boolean leaf() {
    return leaf;
  }

  int count() {
    return count;
  }

  String where() {
    return where;
  }

  byte[] key(int i) {
    return Arrays.copyOfRange(buf, keyAt[i], keyAt[i] + keyLen[i]);
  }

  byte[] value(int i) {
    int from = keyAt[i] + keyLen[i];
    return Arrays.copyOfRange(buf, from, from + valueLen[i]);
  }

  boolean isBucket(int i) {
    return (flags[i] & Layout.BUCKET_LEAF) != 0;
  }

  long child(int i) {
    return child[i];
  }

  /** Compares element i's key with key (unsigned bytes). */
  int compare(int i, byte[] key) {
    return Arrays.compareUnsigned(buf, keyAt[i], keyAt[i] + keyLen[i], key, 0, key.length);
  }

  /** In a branch, the element whose subtree may hold key: the last one whose key is not above it, else the first. */
  int childFor(byte[] key) {
    int lo = 0;
    int hi = count - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (compare(mid, key) <= 0) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** In a leaf, the element with exactly key, or -1. */
  int find(byte[] key) {
    int lo = 0;
    int hi = count - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = compare(mid, key);
      if (c == 0) {
        return mid;
      } else if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }

  BoltFormatException fail(String what) {
    return new BoltFormatException(where + " " + what);
  }
}
