package io.vetch.mvcc;

import io.vetch.api.mvccpb.KeyValue;
import java.util.List;

/**
 * Result of a range read (etcd's mvcc.RangeResult): {@code kvs} sorted by key and cut at the limit, {@code rev}
 * the store revision the read was served at (the current revision, or a write txn's own revision, as in etcd,
 * not the requested historical revision), {@code count} the number of keys in the range before the limit.
 */
public record RangeResult(List<KeyValue> kvs, long rev, long count) {
  public RangeResult {
    kvs = List.copyOf(kvs);
  }
}
