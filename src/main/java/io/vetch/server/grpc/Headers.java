package io.vetch.server.grpc;

import io.vetch.api.etcdserverpb.ResponseHeader;
import io.vetch.mvcc.KvStore;
import io.vetch.server.base.MemberStatus;

/**
 * etcd's response header of this member (v3rpc's header): the cluster and member ids with the revision and raft term
 * a response answers at. Thread-safe.
 */
public final class Headers {
  private final long clusterId;
  private final long memberId;
  private final KvStore store;
  private final MemberStatus status;

  public Headers(long clusterId, long memberId, KvStore store, MemberStatus status) {
    this.clusterId = clusterId;
    this.memberId = memberId;
    this.store = store;
    this.status = status;
  }

  public long clusterId() { return clusterId; }

  public long memberId() { return memberId; }

  /** The raft term as this member knows it: what serializable reads answer with. */
  public long term() { return status.term(); }

  public ResponseHeader at(long revision, long term) {
    return ResponseHeader.newBuilder().setClusterId(clusterId).setMemberId(memberId).setRevision(revision)
        .setRaftTerm(term).build();
  }

  /** At the store's current revision (read first) and the current term. */
  public ResponseHeader current() {
    return at(store.currentRevision(), status.term());
  }
}
