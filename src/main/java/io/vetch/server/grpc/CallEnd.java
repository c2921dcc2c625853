package io.vetch.server.grpc;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;

/**
 * When a client's call ends (the HTTP/2 stream closed, by its end or a reset; an HTTP/1 connection closed), for the
 * services that wait on the client's behalf (Lock, Election): they stop waiting and undo what they began, as etcd
 * does when the call's context is canceled. Kept in the call's duplicated context, like the auth token.
 */
final class CallEnd {
  private static final Object KEY = new Object();

  private CallEnd() {}

  /** Binds req's end to the current call's context. Event loop, in the request handler. */
  static void bind(HttpServerRequest req) {
    Context c = Vertx.currentContext();
    if (c instanceof ContextInternal ci && ci.isDuplicate()) {
      Promise<Void> p = Promise.promise();
      req.response().closeHandler(v -> p.tryComplete());
      ci.localContextData().put(KEY, p.future());
    }
  }

  /** Completes when the current call ends; never, outside a bound call (an in-process caller). */
  static Future<Void> current() {
    Context c = Vertx.currentContext();
    if (c instanceof ContextInternal ci && ci.isDuplicate()) {
      Object f = ci.localContextData().get(KEY);
      if (f != null) {
        @SuppressWarnings("unchecked")
        Future<Void> end = (Future<Void>) f;
        return end;
      }
    }
    return Promise.<Void>promise().future();
  }
}
