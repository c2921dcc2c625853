package io.vetch.server.base;

/**
 * What a member's client side needs to know about Raft without asking: published by the raft verticle (the only
 * writer), read from any thread. Values may be a moment stale; anything that needs them exact asks the raft verticle.
 */
public final class MemberStatus {
  private volatile long term;
  private volatile long leader;
  private volatile long commitIndex;
  private volatile long appliedIndex;
  private volatile long leaderChanges;
  private volatile StorageFailure storageFailure;

  public long term() { return term; }

  /** The current leader's member id, 0 when none is known. */
  public long leader() { return leader; }

  public long commitIndex() { return commitIndex; }

  public long appliedIndex() { return appliedIndex; }

  public void commitIndex(long index) {
    this.commitIndex = index;
  }

  public void appliedIndex(long index) {
    this.appliedIndex = index;
  }

  /** How many times a new leader has been seen (etcd_server_leader_changes_seen_total). */
  public long leaderChanges() { return leaderChanges; }

  /** Why this member's storage failed, or null while it works (sticky for the life of the member). */
  public StorageFailure storageFailure() { return storageFailure; }

  /** Records the first storage failure; later ones are ignored. Returns whether this one was the first. */
  public synchronized boolean storageFailed(StorageFailure f) {
    if (storageFailure != null) {
      return false;
    }
    storageFailure = f;
    return true;
  }

  public void update(long term, long leader) {
    if (leader != 0 && leader != this.leader) {
      leaderChanges++; // single writer: the raft verticle
    }
    this.term = term;
    this.leader = leader;
  }
}
