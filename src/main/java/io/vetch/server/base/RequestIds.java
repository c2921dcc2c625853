package io.vetch.server.base;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Unique request ids (etcd's idutil): the member id's low 16 bits, then the start time in milliseconds and a counter
 * in the low 48 bits, so ids stay unique across members and restarts. Thread-safe.
 */
public final class RequestIds {
  private static final int SUFFIX_BITS = 48;
  private final long prefix;
  private final AtomicLong suffix;

  public RequestIds(long memberId, long nowMillis) {
    this.prefix = (memberId & 0xFFFF) << SUFFIX_BITS;
    this.suffix = new AtomicLong((nowMillis & 0xFF_FFFF_FFFFL) << 8);
  }

  public long next() {
    return prefix | (suffix.incrementAndGet() & ((1L << SUFFIX_BITS) - 1));
  }
}
