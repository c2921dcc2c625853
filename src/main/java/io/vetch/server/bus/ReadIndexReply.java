package io.vetch.server.bus;

/** A linearizable read may proceed: this member has applied at least readIndex, confirmed in raft term `term`. */
public record ReadIndexReply(long readIndex, long term) {}
