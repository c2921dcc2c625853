package io.vetch.server.bus;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether anyone on this member needs the applied batches' events ({@link WatchEvents}): held through a
 * {@link Share} by each watch group while it has watchers and by each group of Lock/Election waiters while they
 * wait. The storage worker publishes a batch only while it is held, reading it after the batch's revision is visible
 * in the store; a holder takes it before reading the store's revision. Both are sequentially consistent, so a batch
 * is either published to a holder or already visible to it in the store. Thread-safe.
 */
public final class WatchInterest {
  private final AtomicInteger holders = new AtomicInteger();

  /** A new holder's share, not held yet. */
  public Share share() {
    return new Share();
  }

  /** Whether anyone holds it. */
  public boolean any() {
    return holders.get() > 0;
  }

  /** One holder's part of the interest; used on its holder's thread only. */
  public final class Share {
    private boolean held;

    private Share() {}

    /** Holds the interest (nothing if held already); call before reading the store's revision. */
    public void hold() {
      if (!held) {
        held = true;
        holders.incrementAndGet();
      }
    }

    /** Lets go of the interest (nothing if not held). */
    public void release() {
      if (held) {
        held = false;
        holders.decrementAndGet();
      }
    }

    public boolean held() {
      return held;
    }
  }
}
