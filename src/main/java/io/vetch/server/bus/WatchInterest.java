package io.vetch.server.bus;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether anyone on this member needs the applied batches' events ({@link WatchEvents}): held by each watch group
 * while it has watchers and by each group of Lock/Election waiters while they wait. The storage worker publishes a
 * batch only while it is held, reading it after the batch's revision is visible in the store; a holder takes it
 * before reading the store's revision. Both are sequentially consistent, so a batch is either published to a holder
 * or already visible to it in the store. Thread-safe.
 */
public final class WatchInterest {
  private final AtomicInteger holders = new AtomicInteger();

  public void hold() {
    holders.incrementAndGet();
  }

  public void release() {
    holders.decrementAndGet();
  }

  /** Whether anyone holds it. */
  public boolean any() {
    return holders.get() > 0;
  }
}
