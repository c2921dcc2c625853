package io.vetch.server;

import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.api.etcdserverpb.Request;
import io.vetch.api.etcdserverpb.RequestHeader;
import io.vetch.server.base.RequestIds;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * etcd's v2 SYNC: every 500 ms the leader proposes a v2 request "SYNC" carrying its wall clock while the v2 store
 * holds keys with a TTL; applying it expires the keys due by that time, so every member expires the same keys at
 * the same entry, whichever member leads. Plain state on the raft verticle's context; not thread-safe.
 */
final class V2Sync {
  /** etcd's SyncTicker period. */
  static final long PERIOD_MS = 500;
  private final int everyTicks;
  private final BooleanSupplier hasTtlKeys;
  private final RequestIds ids;
  private final LongSupplier nowNanos;
  private int ticks;

  /** tickMs: the raft verticle's tick; hasTtlKeys: the v2 store's (thread-safe); nowNanos: Unix nanoseconds. */
  V2Sync(long tickMs, BooleanSupplier hasTtlKeys, RequestIds ids, LongSupplier nowNanos) {
    this.everyTicks = (int) Math.max(1, (PERIOD_MS + tickMs - 1) / tickMs);
    this.hasTtlKeys = hasTtlKeys;
    this.ids = ids;
    this.nowNanos = nowNanos;
  }

  /** One tick, leader saying whether this member leads: the SYNC to propose now, or null. */
  byte[] tick(boolean leader) {
    if (!leader) {
      ticks = 0;
      return null;
    }
    if (++ticks < everyTicks) {
      return null;
    }
    ticks = 0;
    if (!hasTtlKeys.getAsBoolean()) {
      return null;
    }
    long id = ids.next();
    return InternalRaftRequest.newBuilder().setHeader(RequestHeader.newBuilder().setID(id))
        .setV2(Request.newBuilder().setMethod("SYNC").setID(id).setTime(nowNanos.getAsLong())).build().toByteArray();
  }
}
