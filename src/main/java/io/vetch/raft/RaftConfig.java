package io.vetch.raft;

import java.util.Random;

/**
 * Parameters of one Raft member, read once by {@link RawNode}'s constructor (later changes have no effect).
 * Plain mutable fields; the driver fills them in and hands the object over.
 */
public final class RaftConfig {
  /** This member's id; never 0. */
  public long id;
  /** Ticks without hearing from a leader before a follower campaigns (randomized in [electionTick, 2*electionTick)). */
  public int electionTick = 10;
  /** Ticks between leader heartbeats; must be smaller than electionTick. */
  public int heartbeatTick = 1;
  /** Last index already applied to the state machine on restart; committed entries after it are delivered again. */
  public long applied;
  /** Byte budget of one MsgApp and of one Ready's committedEntries (at least one entry is always included). */
  public long maxSizePerMsg = 1 << 20;
  /** Max MsgApp in flight per follower in replicate state. */
  public int maxInflightMsgs = 256;
  /** Run a pre-election (MsgPreVote) before bumping the term. */
  public boolean preVote = true;
  /** Leader steps down without hearing from a quorum within an election timeout; enables the leader lease for votes. */
  public boolean checkQuorum = true;
  /** Source of election-timeout randomness; null means a fresh {@link Random}. Tests pass a seeded one. */
  public Random random;

  void validate() {
    if (id == 0) {
      throw new IllegalArgumentException("raft id must not be 0");
    }
    if (heartbeatTick <= 0 || electionTick <= heartbeatTick) {
      throw new IllegalArgumentException("need 0 < heartbeatTick < electionTick");
    }
    if (maxInflightMsgs <= 0 || maxSizePerMsg <= 0) {
      throw new IllegalArgumentException("maxInflightMsgs and maxSizePerMsg must be positive");
    }
  }
}
