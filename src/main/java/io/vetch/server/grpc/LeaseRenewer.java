package io.vetch.server.grpc;

/** Renews leases where expiry is decided: on the leader. */
public interface LeaseRenewer {
  /**
   * Hands a keep-alive of lease id to the leader: this member's raft verticle if it leads, else the leader over the
   * peer transport (fire and forget: a lost one is made up by the next).
   */
  void keepAliveOnLeader(long id);
}
