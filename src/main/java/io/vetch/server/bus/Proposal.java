package io.vetch.server.bus;

/**
 * A client request to append to the Raft log: data is a serialized InternalRaftRequest whose header carries id, or
 * with confChange a raftpb.ConfChange whose id field carries it. Its result goes to replyTo, in a
 * {@link ProposalResults} batch. Sent to the raft verticle in {@link Proposals}.
 */
public record Proposal(long id, byte[] data, boolean confChange, String replyTo) {}
