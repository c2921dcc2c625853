package io.vetch.v2;

/** etcd's applyV2Request: what a committed v2 request does to the store (etcdserver/apply_v2.go). */
public final class V2Apply {
  private V2Apply() {
  }

  /**
   * Applies {@code r}: the event of the change (null for SYNC, which expires TTLs up to {@code r.time()}), or the
   * V2Error etcd answers. A method other than POST, PUT, DELETE, QGET or SYNC is an IllegalArgumentException
   * (etcd's ErrUnknownMethod; the server never proposes one).
   */
  public static V2Event apply(V2Store store, V2Request r) {
    return switch (r.method()) {
      case "POST" -> store.create(r.path(), r.dir(), r.val(), true, r.ttlOptions());
      case "PUT" -> put(store, r);
      case "DELETE" -> r.prevIndex() != 0 || !r.prevValue().isEmpty()
          ? store.compareAndDelete(r.path(), r.prevValue(), r.prevIndex())
          : store.delete(r.path(), r.dir(), r.recursive());
      case "QGET" -> store.get(r.path(), r.recursive(), r.sorted());
      case "SYNC" -> {
        store.deleteExpiredKeys(r.time());
        yield null;
      }
      default -> throw new IllegalArgumentException("etcdserver: unknown method: " + r.method());
    };
  }

  private static V2Event put(V2Store store, V2Request r) {
    V2TtlOptions ttl = r.ttlOptions();
    boolean compare = r.prevIndex() != 0 || !r.prevValue().isEmpty();
    if (r.prevExist() != null) {
      if (!r.prevExist()) {
        return store.create(r.path(), r.dir(), r.val(), false, ttl);
      }
      return compare ? store.compareAndSwap(r.path(), r.prevValue(), r.prevIndex(), r.val(), ttl)
          : store.update(r.path(), r.val(), ttl);
    }
    return compare ? store.compareAndSwap(r.path(), r.prevValue(), r.prevIndex(), r.val(), ttl)
        : store.set(r.path(), r.dir(), r.val(), ttl);
  }
}
