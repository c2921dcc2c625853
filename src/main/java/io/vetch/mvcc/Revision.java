package io.vetch.mvcc;

/**
 * A point in the store's history (etcd's mvcc.Revision): {@code main} is the revision of the write transaction,
 * {@code sub} orders the changes inside it (0, 1, 2, ...). Immutable; ordered by main, then sub.
 */
public record Revision(long main, long sub) implements Comparable<Revision> {
  @Override
  public int compareTo(Revision o) {
    int c = Long.compare(main, o.main);
    return c != 0 ? c : Long.compare(sub, o.sub);
  }

  public boolean greaterThan(Revision o) {
    return compareTo(o) > 0;
  }
}
