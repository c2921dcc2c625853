package io.vetch.server.grpc;

import io.vetch.server.auth.AuthInfo;
import io.vetch.server.auth.AuthStore;
import io.vetch.server.auth.RequestToken;
import io.vetch.server.auth.TokenProvider;
import io.vetch.server.base.EtcdErrors;
import io.vertx.grpc.server.StatusException;

/**
 * The auth of the current call: who it acts for (from the token, or the client certificate's CN, bound to the call
 * by the front end) and etcd's checks of it, against the member's auth store. Thread-safe; the call's methods run on
 * the event loop, in the call's handler.
 */
public final class CallAuth {
  private final AuthStore store;
  private final TokenProvider tokens;

  public CallAuth(AuthStore store, TokenProvider tokens) {
    this.store = store;
    this.tokens = tokens;
  }

  /** The users, roles and permissions the checks are made against. */
  public AuthStore store() { return store; }

  public TokenProvider tokens() { return tokens; }

  /**
   * Who the current call acts for: with auth enabled, the user its token names at the current auth revision, or
   * {@link AuthInfo#NONE} without a token (permission checks then fail with "user name is empty"). A token that is
   * unknown or expired fails with "invalid auth token". Call at the start of a service method (event loop).
   */
  public AuthInfo authInfo() throws StatusException {
    if (!store.enabled()) {
      return AuthInfo.NONE;
    }
    String token = RequestToken.current();
    if (token == null) {
      String cn = RequestToken.commonName(); // --client-cert-auth: the certificate's CN is the user, as on etcd
      return cn == null ? AuthInfo.NONE : new AuthInfo(cn, store.revision());
    }
    AuthInfo who = tokens.info(token, store.revision());
    if (who == null) {
      throw EtcdErrors.invalidAuthToken();
    }
    return who;
  }

  /** etcd's admin check for the current call (root role needed once auth is enabled): null when it passes. */
  public StatusException checkAdmin() {
    try {
      store.checkAdmin(authInfo());
      return null;
    } catch (StatusException e) {
      return e;
    }
  }

  /** Whether a watch call with token may watch [key, rangeEnd) (read permission; anyone while auth is off). */
  public boolean watchPermitted(String token, byte[] key, byte[] rangeEnd) {
    if (!store.enabled()) {
      return true;
    }
    AuthInfo who = token == null ? null : tokens.info(token, store.revision());
    try {
      store.checkRead(who == null ? AuthInfo.NONE : who, key, rangeEnd);
      return true;
    } catch (StatusException e) {
      return false;
    }
  }

  /** The server's own rights (etcd's WithRoot): the root user once auth is enabled. */
  public AuthInfo server() {
    return store.enabled() ? new AuthInfo(AuthStore.ROOT, store.revision()) : AuthInfo.NONE;
  }
}
