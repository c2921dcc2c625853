package io.vetch.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;

/**
 * bcrypt password hashing, as etcd (--bcrypt-cost, default 10). Both calls are slow on purpose: run them on worker
 * threads, never on an event loop. The hash is made by the member that takes the request, so the clear password
 * never reaches the Raft log.
 */
public final class Passwords {
  public static final int DEFAULT_COST = 10;

  private Passwords() {}

  public static byte[] hash(String password, int cost) {
    return BCrypt.withDefaults().hash(cost, password.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether password is hash's; false too for a hash that is not a well-formed bcrypt hash. */
  public static boolean matches(String password, byte[] hash) {
    try {
      return hash.length > 0 && BCrypt.verifyer().verify(password.getBytes(StandardCharsets.UTF_8), hash).verified;
    } catch (IllegalArgumentException e) { // a cost factor out of range
      return false;
    }
  }
}
