package io.vetch.server.grpc;

import io.vertx.core.Future;

/** etcd's LeaderTransferrer: Maintenance.MoveLeader through the raft verticle. */
public interface LeaderTransferrer {
  /** Completes once target leads; etcd's errors when this member is not the leader, target is no voter etc. */
  Future<Void> moveLeader(long target);
}
