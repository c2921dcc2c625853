package io.vetch.server.bus;

/** A client request to append to the Raft log: data is a serialized InternalRaftRequest whose header carries id. */
public record Proposal(long id, byte[] data) {}
