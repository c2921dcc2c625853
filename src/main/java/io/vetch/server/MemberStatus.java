package io.vetch.server;

/**
 * What a member's client side needs to know about Raft without asking: published by the raft verticle (the only
 * writer), read from any thread. Values may be a moment stale; anything that needs them exact asks the raft verticle.
 */
public final class MemberStatus {
  private volatile long term;
  private volatile long leader;

  public long term() { return term; }

  /** The current leader's member id, 0 when none is known. */
  public long leader() { return leader; }

  void update(long term, long leader) {
    this.term = term;
    this.leader = leader;
  }
}
