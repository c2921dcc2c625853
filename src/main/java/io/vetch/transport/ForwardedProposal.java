package io.vetch.transport;

/**
 * A client request a follower hands to the leader (to = leader's member id): an InternalRaftRequest, or with
 * confChange a raftpb.ConfChange. The follower answers its client when it applies the entry carrying this request
 * id itself, so nothing travels back.
 */
public record ForwardedProposal(long to, long id, byte[] data, boolean confChange) {}
