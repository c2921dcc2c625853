package io.vetch.server.lease;

import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.server.base.RequestIds;
import io.vetch.api.etcdserverpb.LeaseCheckpoint;
import io.vetch.api.etcdserverpb.LeaseCheckpointRequest;
import io.vetch.api.etcdserverpb.LeaseRevokeRequest;
import io.vetch.api.etcdserverpb.RequestHeader;
import java.util.Map;

/** The Raft entries the leader proposes on its own for leases: revokes of expired ones and TTL checkpoints. */
public final class LeaseProposals {
  private final RequestIds ids;

  public LeaseProposals(RequestIds ids) {
    this.ids = ids;
  }

  public byte[] revoke(long lease) {
    return InternalRaftRequest.newBuilder().setHeader(RequestHeader.newBuilder().setID(ids.next()))
        .setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(lease)).build().toByteArray();
  }

  /** remaining: lease id to remaining seconds (0 clears a checkpoint). */
  public byte[] checkpoint(Map<Long, Long> remaining) {
    LeaseCheckpointRequest.Builder cp = LeaseCheckpointRequest.newBuilder();
    remaining.forEach((id, ttl) -> cp.addCheckpoints(LeaseCheckpoint.newBuilder().setID(id).setRemainingTTL(ttl)));
    return InternalRaftRequest.newBuilder().setHeader(RequestHeader.newBuilder().setID(ids.next()))
        .setLeaseCheckpoint(cp).build().toByteArray();
  }
}
