package io.vetch.server.bus;

import io.vetch.api.etcdserverpb.InternalRaftRequest;

/**
 * A client request to append to the Raft log: data is a serialized InternalRaftRequest whose header carries id, or
 * with confChange a raftpb.ConfChange whose id field carries it. request is the InternalRaftRequest data encodes,
 * when the proposer has it (null otherwise), so that a leader applying its own entry need not decode it. Its result
 * goes to replyTo, in a {@link ProposalResults} batch. Sent to the raft verticle in {@link Proposals}.
 */
public record Proposal(long id, byte[] data, boolean confChange, String replyTo, InternalRaftRequest request) {

  /** A proposal without its decoded request. */
  public Proposal(long id, byte[] data, boolean confChange, String replyTo) {
    this(id, data, confChange, replyTo, null);
  }
}
