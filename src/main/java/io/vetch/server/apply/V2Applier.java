package io.vetch.server.apply;

import io.vetch.api.etcdserverpb.Request;
import io.vetch.v2.V2Apply;
import io.vetch.v2.V2Error;
import io.vetch.v2.V2Event;
import io.vetch.v2.V2Request;
import io.vetch.v2.V2Store;

/**
 * etcd's applyV2Request for vetch's Raft entries: the v2 {@link Request} an InternalRaftRequest carries, applied to
 * the member's v2 store by {@link V2Apply}. Deterministic (a TTL's expiry is the absolute Expiration the proposer
 * computed; SYNC carries the leader's clock), so every member's v2 store goes through the same states. Called by
 * the storage worker only, and by Bootstrap when it rebuilds the store from the WAL.
 */
public final class V2Applier {
  /** The v2 store's answer to an applied v2 request: its event or its error (neither for SYNC). */
  public record Answer(V2Event event, V2Error error) {}

  private V2Applier() {}

  public static Answer apply(V2Store store, Request r) {
    try {
      return new Answer(V2Apply.apply(store, toV2(r)), null);
    } catch (V2Error e) {
      return new Answer(null, e);
    }
  }

  /** The proto's fields as the store's record; PrevExist and Refresh null when unset, as etcd's nullable fields. */
  public static V2Request toV2(Request r) {
    return new V2Request(r.getID(), r.getMethod(), r.getPath(), r.getVal(), r.getDir(), r.getPrevValue(),
        r.getPrevIndex(), r.hasPrevExist() ? r.getPrevExist() : null, r.getExpiration(), r.getWait(), r.getSince(),
        r.getRecursive(), r.getSorted(), r.getQuorum(), r.getTime(), r.getStream(),
        r.hasRefresh() ? r.getRefresh() : null);
  }
}
