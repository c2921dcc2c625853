package io.vetch.mvcc;

/**
 * A point in the store's history (etcd's mvcc.Revision): {@code main} is the revision of the write transaction,
 * {@code sub} orders the changes inside it (0, 1, 2, ...). Immutable; ordered by main, then sub.
 */
public record Revision(long main, long sub) implements Comparable<Revision> {
  /** Length of etcd's revision bytes; a tombstone's carry one more, its mark. */
  public static final int ETCD_BYTES = 17;
  /** The mark etcd appends to a tombstone's revision bytes. */
  public static final byte ETCD_TOMBSTONE = 't';

  /**
   * etcd's revision bytes (revToBytes, and appendMarkTombstone for a tombstone): 8-byte big-endian main, '_', 8-byte
   * big-endian sub, then 't' for a tombstone. The keys of etcd's "key" bucket, and what its HashKV hashes.
   */
  public static byte[] etcdBytes(long main, long sub, boolean tombstone) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(ETCD_BYTES + (tombstone ? 1 : 0)).putLong(main)
        .put((byte) '_').putLong(sub);
    if (tombstone) {
      b.put(ETCD_TOMBSTONE);
    }
    return b.array();
  }

  @Override
  public int compareTo(Revision o) {
    int c = Long.compare(main, o.main);
    return c != 0 ? c : Long.compare(sub, o.sub);
  }

  public boolean greaterThan(Revision o) {
    return compareTo(o) > 0;
  }
}
