package io.vetch.mvcc;

/** The requested revision is newer than the store's current revision (etcd's mvcc.ErrFutureRev). */
public final class FutureRevisionException extends Exception {
  private static final long serialVersionUID = 1L;
  public FutureRevisionException() {
    super("mvcc: required revision is a future revision");
  }
}
