package io.vetch.server.bus;

/**
 * A client request to append to the Raft log: data is a serialized InternalRaftRequest whose header carries id, or
 * with confChange a raftpb.ConfChange whose id field carries it.
 */
public record Proposal(long id, byte[] data, boolean confChange) {
  public Proposal(long id, byte[] data) {
    this(id, data, false);
  }
}
