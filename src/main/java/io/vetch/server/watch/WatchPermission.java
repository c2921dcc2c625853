package io.vetch.server.watch;

/** Whether a Watch call's token may watch a range (etcd's isWatchPermitted). Event loop; must not block. */
@FunctionalInterface
public interface WatchPermission {
  /** Anyone may watch anything (auth disabled). */
  WatchPermission ALL = (token, key, rangeEnd) -> true;

  /** token: the call's auth token, or null; key and rangeEnd as in the create request. */
  boolean permits(String token, byte[] key, byte[] rangeEnd);
}
