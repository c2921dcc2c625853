package io.vetch.server.bus;

import com.google.protobuf.Message;
import io.vertx.grpc.server.StatusException;

/** The outcome of an applied proposal: exactly one of response and error is set. */
public record ProposalResult(long id, Message response, StatusException error) {}
