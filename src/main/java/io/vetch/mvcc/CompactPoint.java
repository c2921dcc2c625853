package io.vetch.mvcc;

/**
 * The compact revision together with the highest sub revision that may still hold a record at it. Above the
 * compact revision every main revision is dense (subs 0..n-1); at it, compaction removed tombstones and
 * superseded puts, so event reads probe subs 0..maxSub and skip gaps. edgeComplete says the compact revision
 * itself had no delete, so all of its events survive (unknown after a restart: false). Immutable; published as one
 * volatile.
 */
record CompactPoint(long revision, long maxSub, boolean edgeComplete) {
  static final CompactPoint NONE = new CompactPoint(0, -1, true);
}
