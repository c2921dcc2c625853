package io.vetch.server.apply;

import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RequestOp;
import io.vetch.api.etcdserverpb.TxnRequest;

/**
 * etcd's backend quota costs: what a request is expected to add to the store, checked before it is proposed
 * ({@code size + cost > quota} raises NOSPACE and fails the request). Stateless.
 */
public final class Quota {
  /** etcd's kvOverhead: bytes a key-value costs beyond its key and value. */
  static final int KV_OVERHEAD = 256;
  /** etcd's leaseOverhead: bytes a lease grant costs. */
  public static final int LEASE_OVERHEAD = 64;

  private Quota() {}

  public static long cost(PutRequest p) {
    return KV_OVERHEAD + p.getKey().size() + p.getValue().size();
  }

  /** The costlier branch, counting nested txns. */
  public static long cost(TxnRequest t) {
    return Math.max(cost(t.getSuccessList()), cost(t.getFailureList()));
  }

  private static long cost(Iterable<RequestOp> ops) {
    long c = 0;
    for (RequestOp op : ops) {
      if (op.hasRequestPut()) {
        c += cost(op.getRequestPut());
      } else if (op.hasRequestTxn()) {
        c += cost(op.getRequestTxn());
      }
    }
    return c;
  }

  /** Whether either branch puts (nested txns included): such a txn is refused while NOSPACE is raised. */
  public static boolean hasPut(TxnRequest t) {
    return cost(t) > 0;
  }
}
