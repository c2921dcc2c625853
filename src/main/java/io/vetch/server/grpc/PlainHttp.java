package io.vetch.server.grpc;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * etcd's plain HTTP beside gRPC on a client URL (health, metrics, the JSON gateway, the console): one per client
 * verticle, made by the member's wiring, so that this package does not depend on the HTTP front ends built on it.
 */
public interface PlainHttp {
  /** The handler of every request that is not gRPC, over services; on the verticle's event loop, at its start. */
  Handler<HttpServerRequest> handler(Vertx vertx, Services services);

  /** Releases what handler made (the console's client). */
  Future<Void> close();
}
