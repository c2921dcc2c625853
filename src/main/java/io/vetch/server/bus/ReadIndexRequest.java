package io.vetch.server.bus;

/**
 * A linearizable read asks to proceed: answered at replyTo, in a {@link ProposalResults} batch, with the raft term
 * (a Long) once this member has applied everything committed before the request arrived, or with etcd's error.
 */
public record ReadIndexRequest(long id, String replyTo) {}
