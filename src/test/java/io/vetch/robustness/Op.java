package io.vetch.robustness;

/**
 * One client operation as recorded: what was asked, when (nanoTime at call and return), and what came back.
 * A write whose outcome is unknown (timeout, unavailable, connection lost) has {@code returned = Long.MAX_VALUE}
 * and {@code ok = false}: it may or may not have taken effect. A definite failure of a read is not recorded.
 *
 * @param kind what it is
 * @param key the key (null for LEASE_REVOKE)
 * @param value the value written (PUT, LEASE_PUT, CAS), or the value read (GET; null = no key)
 * @param lease the lease of LEASE_PUT or LEASE_REVOKE
 * @param expectRev CAS: the mod revision compared
 * @param ok whether the call answered (false: unknown outcome)
 * @param succeeded CAS: whether the compare held; DELETE: whether a key was deleted
 * @param revision the answer's header revision (the write's revision for a single-key write)
 * @param modRevision GET: the mod revision read (0 = no key)
 * @param group the same non-zero number for the puts of one multi-key txn (one revision between them), else 0
 */
public record Op(int client, Kind kind, String key, String value, long lease, long expectRev, long called,
    long returned, boolean ok, boolean succeeded, long revision, long modRevision, long group) {
  public Op(int client, Kind kind, String key, String value, long lease, long expectRev, long called, long returned,
      boolean ok, boolean succeeded, long revision, long modRevision) {
    this(client, kind, key, value, lease, expectRev, called, returned, ok, succeeded, revision, modRevision, 0);
  }

  public enum Kind { PUT, LEASE_PUT, DELETE, CAS, GET, LEASE_REVOKE }

  boolean unknown() {
    return !ok;
  }

  @Override
  public String toString() {
    String v = value == null ? "nil" : value.length() > 16 ? value.substring(0, 16) + "..." : value;
    return kind + "(" + (key == null ? "" : key) + (kind == Kind.GET ? "" : " " + v)
        + (lease != 0 ? " lease " + lease : "") + (kind == Kind.CAS ? " if mod=" + expectRev : "") + ")"
        + (ok ? " -> " + (kind == Kind.GET ? v + "@" + modRevision : "") + (kind == Kind.CAS || kind == Kind.DELETE
            ? (succeeded ? "succeeded" : "failed") : "") + " rev " + revision : " -> unknown")
        + " [c" + client + " " + called + ".." + (returned == Long.MAX_VALUE ? "inf" : returned) + "]";
  }
}
