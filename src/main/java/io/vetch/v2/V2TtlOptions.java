package io.vetch.v2;

/**
 * The expiry of a write (etcd's TTLOptionSet): {@code expireTime} in unix nanoseconds, 0 for none (permanent), and
 * whether the write only refreshes the TTL (keeping the value, notifying no watcher).
 */
public record V2TtlOptions(long expireTime, boolean refresh) {
  public static final V2TtlOptions PERMANENT = new V2TtlOptions(0, false);

  public static V2TtlOptions expireAt(long unixNanos) {
    return new V2TtlOptions(unixNanos, false);
  }
}
