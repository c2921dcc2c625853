package io.vetch.bolt;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * What `etcdctl snapshot status` reports for a bbolt file (etcd clientv3/snapshot v3_snapshot.go Status): a CRC-32C
 * (Castagnoli) over every top-level bucket's name followed by each of its keys and values in order (a nested
 * bucket's value counts as empty), the number of entries, the main revision of the last key of bucket "key", and
 * the database size.
 */
public record SnapshotHash(long hash, long revision, long totalKey, long totalSize) {
  private static final byte[] KEY_BUCKET = {'k', 'e', 'y'};

  /** etcd's hash of the file, an unsigned 32-bit value. */
  public static long of(BoltReader reader) throws BoltFormatException {
    return status(reader).hash();
  }

  /** Walks every bucket of the file once. */
  public static SnapshotHash status(BoltReader reader) throws BoltFormatException {
    CRC32C crc = new CRC32C();
    long[] keys = {0};
    long[] revision = {0};
    for (byte[] name : reader.buckets()) {
      crc.update(name);
      boolean keyBucket = Arrays.equals(name, KEY_BUCKET);
      reader.forEach(name, (k, v) -> {
        crc.update(k);
        if (v != null) {
          crc.update(v);
        }
        if (keyBucket && k.length >= 8) {
          revision[0] = ByteBuffer.wrap(k).getLong();
        }
        keys[0]++;
      });
    }
    return new SnapshotHash(crc.getValue(), revision[0], keys[0], reader.pageCount() * reader.pageSize());
  }
}
