package io.vetch.server;

import io.vetch.server.base.SerialLoad;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * The raft verticle's batches to the storage worker, counted, so that the storage thread can wait for the next one
 * awake. A parked storage thread costs every batch a futex wake-up on the raft verticle's loop and a context switch
 * on the storage thread, and lets its vCPU halt, which the next wake-up pays for again: at one request at a time
 * that chain is most of a put's time. So under a serial load ({@value #STREAK} batches in a row of at most one entry,
 * each within the budget of the last, and at most one proposal of this member waiting) the storage thread waits
 * up to the budget for the next batch, yielding its CPU to any thread that has work, and tells the event loops
 * ({@link SerialLoad}). Larger batches or more proposals waiting (a busy member: the wait would take CPU from the
 * event loops) or a longer gap (an idle one) turn it off.
 *
 * <p>Within one write's round, whatever came before it: while a batch of at most one entry (to persist or to
 * apply) is at the storage worker, with at most one proposal of this member waiting, the event loops wait awake for
 * its answer; and after a member of a cluster persisted one entry that commits later, the storage thread waits for
 * the batch that applies it (a round trip between the members away), and the event loops for that round trip's
 * messages. The batch that applies it ends the waiting, so a watch round's fan-out runs without it. See
 * docs/performance.md, round 28.
 */
final class StorageHandoff {
  /** The spin budget, in µs. */
  static final long SPIN_MICROS = 1000;
  /** Batches of a serial load in a row before the storage thread waits awake. */
  static final int STREAK = 8;
  private final long spinNanos;
  private final AtomicLong sent = new AtomicLong();
  private final IntSupplier inFlight;
  // the storage thread's own
  private long handled;
  /** Batches in a row of at most one entry, each within the budget of the last. */
  private int streak;
  private long lastEnd;
  private long lastGap = Long.MAX_VALUE;

  /** spinMicros: how long the storage thread may wait awake for the next batch; 0: never. */
  StorageHandoff(long spinMicros, IntSupplier inFlight) {
    this.spinNanos = spinMicros * 1000;
    this.inFlight = inFlight;
  }

  /** inFlight: the proposals made on this member still waiting; {@code -Dvetch.storageSpinMicros} sets the budget. */
  static StorageHandoff configured(IntSupplier inFlight) {
    return new StorageHandoff(Long.getLong("vetch.storageSpinMicros", SPIN_MICROS), inFlight);
  }

  /**
   * Raft side, before sending a batch with this many entries to persist and to apply together: a batch of one keeps
   * the event loops awake for its answer, up to the budget, and the storage thread sees the load as serial when the
   * batch arrives.
   */
  void sending(int entries) {
    if (spinNanos > 0 && entries <= 1 && inFlight.getAsInt() <= 1) {
      SerialLoad.extend(System.nanoTime() + spinNanos);
    }
  }

  /** Raft side, after sending a batch (the send queues it on the storage worker's context at once). */
  void sent() {
    sent.incrementAndGet();
  }

  /**
   * Storage side: how long to wait awake for a batch's WAL write run on the WAL's thread while this one applies
   * ({@link io.vetch.wal.Wal#awaitSync}): the budget under a serial load (the event loops wait awake too); else 0,
   * and the write runs on this thread, since a parked wait for it would cost every batch a second wake-up.
   */
  long syncSpinNanos() {
    return SerialLoad.at(System.nanoTime()) ? spinNanos : 0;
  }

  /** Storage side: a batch starts. */
  void arrived() {
    if (lastEnd != 0) {
      lastGap = System.nanoTime() - lastEnd;
    }
  }

  /**
   * Storage side: a batch of this many new entries ended; may wait for the next batch, spinning, up to the budget.
   * awaitsCommit: its entries commit in a later batch (persisted by a member of a cluster, not applied on persist).
   * Other work queued on the storage worker's context meanwhile waits at most that long.
   */
  void handled(int entries, boolean awaitsCommit) {
    handled++;
    lastEnd = System.nanoTime();
    streak = entries > 1 || lastGap > spinNanos ? 0 : streak + 1;
    boolean roundTrip = awaitsCommit && entries == 1;
    if (streak < STREAK && !roundTrip || inFlight.getAsInt() > 1) {
      SerialLoad.off();
      return;
    }
    SerialLoad.until(lastEnd + 2 * spinNanos); // the event loops answer after the batch, then wait as long
    long deadline = lastEnd + spinNanos;
    while (sent.get() <= handled && System.nanoTime() < deadline) {
      Thread.yield();
    }
  }
}
