package io.vetch.bolt;

/**
 * bbolt's on-disk constants (go.etcd.io/bbolt page.go, bucket.go, db.go). All integers are little-endian.
 *
 * <pre>
 * page header (16 bytes): id u64 | flags u16 | count u16 | overflow u32
 *   a page spans 1 + overflow consecutive pages of pageSize bytes; only the first has a header.
 * branch element (16 bytes): pos u32 | ksize u32 | child pgid u64
 * leaf element   (16 bytes): flags u32 | pos u32 | ksize u32 | vsize u32
 *   pos counts from the element's own first byte; key, then value, lie after the element array.
 * bucket header (16 bytes): root pgid u64 | sequence u64; root 0 = inline bucket, a leaf page follows the header.
 * freelist page: count ids u64 after the header; count 0xFFFF means the first u64 holds the real count.
 * </pre>
 */
final class Layout {
  static final int PAGE_HEADER = 16;
  static final int ELEMENT = 16;
  static final int BUCKET_HEADER = 16;
  static final int BRANCH = 0x01;
  static final int LEAF = 0x02;
  static final int META = 0x04;
  static final int FREELIST = 0x10;
  /** Leaf element flag: the value is a nested bucket's header. */
  static final int BUCKET_LEAF = 0x01;
  static final int MAX_KEY = 32768;
  static final int MAX_COUNT = 0xFFFF;
  static final long NO_FREELIST = -1L;
  static final int MIN_PAGE_SIZE = 512;
  static final int MAX_PAGE_SIZE = 1 << 20;

  private Layout() {}

  static boolean validPageSize(long size) {
    return size >= MIN_PAGE_SIZE && size <= MAX_PAGE_SIZE && Long.bitCount(size) == 1;
  }

  static String hex(int flags) {
    return String.format("0x%02x", flags);
  }
}
