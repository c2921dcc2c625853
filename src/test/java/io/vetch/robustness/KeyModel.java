package io.vetch.robustness;


/**
 * etcd's semantics for one key, as a sequential model for the linearizability search: the key's value, its mod
 * revision (-1 when written by a put whose answer was lost and whose value nobody read) and its lease. null is
 * "no key". Revisions are checked across keys separately ({@link HistoryChecker}).
 */
record KeyModel(String value, long modRevision, long lease) {
  /** The state after op, or {@link #REFUSED} if op cannot have answered what it did in state s. */
  static KeyModel step(KeyModel s, Op op, long writeRevision) {
    switch (op.kind()) {
      case PUT, LEASE_PUT -> {
        return new KeyModel(op.value(), writeRevision, op.lease());
      }
      case CAS -> {
        boolean holds = (s == null ? 0 : s.modRevision) == op.expectRev(); // a missing key's mod revision is 0
        if (op.ok() && holds != op.succeeded()) {
          return REFUSED;
        }
        return holds ? new KeyModel(op.value(), writeRevision, 0) : s;
      }
      case DELETE -> {
        if (op.ok() && (s != null) != op.succeeded()) {
          return REFUSED;
        }
        return null;
      }
      case GET -> {
        if (s == null) {
          return op.value() == null ? null : REFUSED;
        }
        boolean same = s.value.equals(op.value()) && (s.modRevision == -1 || s.modRevision == op.modRevision());
        return same ? s : REFUSED;
      }
      case LEASE_REVOKE -> {
        return s != null && s.lease == op.lease() ? null : s;
      }
      default -> throw new IllegalArgumentException(op.toString());
    }
  }

  /** Marks a refused step (never a real state). */
  static final KeyModel REFUSED = new KeyModel("\u0000refused", Long.MIN_VALUE, Long.MIN_VALUE);
}
