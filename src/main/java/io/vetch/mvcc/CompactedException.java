package io.vetch.mvcc;

/** The requested revision was compacted away (etcd's mvcc.ErrCompacted). */
public final class CompactedException extends Exception {
  private static final long serialVersionUID = 1L;
  private final long compactRevision;

  public CompactedException(long compactRevision) {
    super("mvcc: required revision has been compacted");
    this.compactRevision = compactRevision;
  }

  /** The store's compact revision when the request failed. */
  public long compactRevision() {
    return compactRevision;
  }
}
