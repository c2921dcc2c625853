package io.vetch.server.bus;

import io.vertx.grpc.server.StatusException;

/**
 * The outcome of a request to the raft verticle: exactly one of response and error is set. For an applied proposal
 * the response is a v3 response message, or for a v2 request the v2 store's answer (its event or its error, see
 * server.apply.V2Applier); for a read index it is the raft term the read was confirmed in.
 */
public record ProposalResult(long id, Object response, StatusException error) {}
