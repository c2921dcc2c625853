package io.vetch.server.grpc;

import io.vetch.server.wire.GrpcFraming;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.LongSupplier;

/**
 * etcd's require-leader check in front of the gRPC server: a call (unary or stream) carrying metadata
 * {@code hasleader: true} while this member knows no leader fails at once with UNAVAILABLE "etcdserver: no leader",
 * as a trailers-only response, without reaching a service. Every other request goes to {@code next} unchanged.
 * Only the start of a call is checked; a stream opened while a leader was known is not ended when it is lost later.
 * Runs on the connection's event loop and never blocks; {@code leader} must be cheap and thread-safe.
 */
final class RequireLeaderHandler implements Handler<HttpServerRequest> {
  /** etcd's rpctypes.MetadataRequireLeaderKey and MetadataHasLeader. */
  static final String REQUIRE_LEADER_KEY = "hasleader";
  static final String HAS_LEADER = "true";
  /** gRPC status UNAVAILABLE. */
  static final int UNAVAILABLE = 14;
  /** etcd's rpctypes.ErrGRPCNoLeader message. */
  static final String NO_LEADER = "etcdserver: no leader";

  private final LongSupplier leader;
  private final Handler<HttpServerRequest> next;

  /** leader: the current leader's member id, 0 when none is known (as {@code MemberStatus#leader()}). */
  RequireLeaderHandler(LongSupplier leader, Handler<HttpServerRequest> next) {
    this.leader = leader;
    this.next = next;
  }

  @Override
  public void handle(HttpServerRequest req) {
    if (HAS_LEADER.equals(req.getHeader(REQUIRE_LEADER_KEY)) && leader.getAsLong() == 0) {
      GrpcFraming.finish(req.response(), false, UNAVAILABLE, NO_LEADER);
    } else {
      next.handle(req);
    }
  }
}
