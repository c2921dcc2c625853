package io.vetch.server.grpc;

import com.google.protobuf.ByteString;
import io.vetch.api.mvccpb.Event;
import io.vetch.server.bus.WatchEvents;
import io.vetch.server.bus.WatchInterest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Wakes the Lock and Election services when keys they wait on change. Fed with every applied batch's events on
 * its client verticle's event loop, and used from that event loop only. A wake-up says "look again", never what
 * changed: callers re-read the store, so a spurious wake-up costs one read and a missed one is impossible.
 */
final class KeyChanges {
  private static final Comparator<ByteString> ORDER = ByteString.unsignedLexicographicalComparator();

  private record Waiter(ByteString key, ByteString end, Future<Void> callEnd, Promise<Void> promise) {
    boolean covers(ByteString k) {
      return end == null ? key.equals(k) : ORDER.compare(k, key) >= 0 && (end.isEmpty() || ORDER.compare(k, end) < 0);
    }
  }

  private final LongSupplier currentRevision;
  /** The member's watch interest, held while there are waiters. */
  private final WatchInterest.Share interest;
  private List<Waiter> waiters = new ArrayList<>();

  /** currentRevision: the store's current revision, read when a waiter registers; interest: held while waiting. */
  KeyChanges(LongSupplier currentRevision, WatchInterest interest) {
    this.currentRevision = currentRevision;
    this.interest = interest.share();
  }

  /**
   * Completes at the first change of a key in [key, end) (end null: key alone; empty: every key from key) applied
   * after revision seenAt, the revision of the read that found it unchanged. Completes at once if the store has
   * already moved past seenAt, since that change may have been published before this registration. The waiter is
   * dropped, never completing, once callEnd has completed (the call it waits for went away).
   */
  Future<Void> next(ByteString key, ByteString end, long seenAt, Future<Void> callEnd) {
    waiters.removeIf(w -> w.callEnd.isComplete());
    interest.hold(); // before reading the revision: a change after the read is published, one before it is seen
    if (currentRevision.getAsLong() > seenAt) {
      releaseIfIdle();
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    waiters.add(new Waiter(key, end, callEnd, p));
    return p.future();
  }

  void onEvents(WatchEvents e) {
    if (waiters.isEmpty()) {
      return;
    }
    List<Waiter> woken = new ArrayList<>();
    List<Waiter> still = new ArrayList<>();
    for (Waiter w : waiters) {
      if (w.callEnd.isComplete()) {
        continue;
      }
      (e.revisions() == null || touches(e, w) ? woken : still).add(w);
    }
    if (still.size() < waiters.size()) {
      waiters = still;
      releaseIfIdle();
      woken.forEach(w -> w.promise.tryComplete());
    }
  }

  private void releaseIfIdle() {
    if (waiters.isEmpty()) {
      interest.release();
    }
  }

  private static boolean touches(WatchEvents e, Waiter w) {
    for (WatchEvents.Revision r : e.revisions()) {
      for (Event ev : r.events()) {
        if (w.covers(ev.getKv().getKey())) {
          return true;
        }
      }
    }
    return false;
  }
}
