package io.vetch.server.grpc;

import io.vertx.core.Future;

/** The linearizable read barrier (etcd's linearizableReadNotify), through the raft verticle's ReadIndex. */
public interface ReadIndex {
  /**
   * Completes with the raft term once this member has applied everything committed before the call; fails with
   * etcd's error (timeout, no leader, stopped).
   */
  Future<Long> await();
}
