package io.vetch.server.grpc;

/** Renews leases where expiry is decided: on the leader. */
public interface LeaseRenewer {
  /**
   * Hands a keep-alive of lease id to the leader: this member's raft verticle if it leads, else the leader over the
   * peer transport (fire and forget: a lost one is made up by the next).
   */
  void keepAliveOnLeader(long id);

  /**
   * Why keep-alives here cannot reach the leader (this member's storage failed: it takes no part in Raft), or null.
   * A keep-alive answered from the local lessor then would tell the client its lease lives while the leader lets it
   * expire.
   */
  io.vertx.grpc.server.StatusException unavailable();
}
