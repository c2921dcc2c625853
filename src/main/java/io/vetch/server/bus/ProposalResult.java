package io.vetch.server.bus;

import io.vertx.grpc.server.StatusException;

/**
 * The outcome of an applied proposal: exactly one of response and error is set. The response is a v3 response
 * message, or for a v2 request the v2 store's answer (its event or its error, see server.apply.V2Applier).
 */
public record ProposalResult(long id, Object response, StatusException error) {}
