package io.vetch.server.auth;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

/**
 * Carries a gRPC call's auth token (etcd's {@code token} metadata) from the HTTP/2 request to the service method
 * that handles it. Vert.x runs every HTTP request, and every callback of its gRPC call, on a duplicated context of
 * its own; the token is stored in that context's local data, so it can neither leak to another call nor be lost
 * between the request and its message. Outside such a context there is no token.
 */
public final class RequestToken {
  private static final Object KEY = new Object();
  private static final Object CN_KEY = new Object();

  private RequestToken() {}

  /** Remembers token for the call running on the current (duplicated) context. Event loop. */
  public static void bind(String token) {
    Context c = Vertx.currentContext();
    if (token != null && c instanceof ContextInternal ci && ci.isDuplicate()) {
      ci.localContextData().put(KEY, token);
    }
  }

  /** Remembers the CN of the call's client certificate (used as the user when there is no token). Event loop. */
  public static void bindCommonName(String cn) {
    Context c = Vertx.currentContext();
    if (cn != null && c instanceof ContextInternal ci && ci.isDuplicate()) {
      ci.localContextData().put(CN_KEY, cn);
    }
  }

  /** The CN of the current call's client certificate, or null. */
  public static String commonName() {
    Context c = Vertx.currentContext();
    if (c instanceof ContextInternal ci && ci.isDuplicate()) {
      return (String) ci.localContextData().get(CN_KEY);
    }
    return null;
  }

  /** The current call's token, or null. */
  public static String current() {
    Context c = Vertx.currentContext();
    if (c instanceof ContextInternal ci && ci.isDuplicate()) {
      return (String) ci.localContextData().get(KEY);
    }
    return null;
  }
}
