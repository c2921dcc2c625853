package io.vetch.server.apply;

import io.vetch.api.etcdserverpb.Compare;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.mvcc.CompactedException;
import io.vetch.mvcc.FutureRevisionException;
import io.vetch.mvcc.RangeResult;
import java.util.Arrays;

/** etcd's Txn compare evaluation (etcd's applyCompare / compareKV), against the current revision. */
final class Compares {
  private Compares() {}

  /** True when every compare holds. */
  static boolean all(KvReader reader, Iterable<Compare> compares) {
    for (Compare c : compares) {
      if (!holds(reader, c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean holds(KvReader reader, Compare c) {
    RangeResult rr;
    try {
      rr = reader.range(c.getKey().toByteArray(), RangeQuery.endOf(c.getRangeEnd()), 0, 0, false);
    } catch (CompactedException | FutureRevisionException e) {
      return false;
    }
    if (rr.kvs().isEmpty()) {
      // A value compare on a missing key always fails: a missing value cannot be told from an empty one.
      return c.getTarget() != Compare.CompareTarget.VALUE && compare(c, KeyValue.getDefaultInstance());
    }
    for (KeyValue kv : rr.kvs()) {
      if (!compare(c, kv)) {
        return false;
      }
    }
    return true;
  }

  private static boolean compare(Compare c, KeyValue kv) {
    int result = switch (c.getTarget()) {
      case VALUE -> Arrays.compareUnsigned(kv.getValue().toByteArray(), c.getValue().toByteArray());
      case CREATE -> Long.compare(kv.getCreateRevision(), c.getCreateRevision());
      case MOD -> Long.compare(kv.getModRevision(), c.getModRevision());
      case VERSION -> Long.compare(kv.getVersion(), c.getVersion());
      case LEASE -> Long.compare(kv.getLease(), c.getLease());
      default -> 0;
    };
    return switch (c.getResult()) {
      case EQUAL -> result == 0;
      case NOT_EQUAL -> result != 0;
      case GREATER -> result > 0;
      case LESS -> result < 0;
      default -> true;
    };
  }
}
