package io.vetch.raft;

/**
 * The leader's view of one member's log (etcd's tracker.Progress). {@code match} is the highest index known to be
 * durable on the member; {@code next} the next index to send. State machine:
 * <ul>
 *   <li>PROBE: one MsgApp at a time until the member acknowledges, backing off on rejection;</li>
 *   <li>REPLICATE: optimistic streaming, bounded by the {@link Inflights} window;</li>
 *   <li>SNAPSHOT: a snapshot is on its way; nothing else is sent until it is acknowledged or reported failed.</li>
 * </ul>
 * The leader's own entry tracks its own durable index: it moves in advance, not when entries are appended.
 */
final class Progress {
  enum State { PROBE, REPLICATE, SNAPSHOT }

  long match;
  long next;
  State state = State.PROBE;
  long pendingSnapshot;
  boolean recentActive;
  boolean probeSent;
  boolean isLearner;
  final Inflights inflights;

  Progress(long next, int maxInflight, boolean isLearner) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
    this.isLearner = isLearner;
  }

  /** Forgets everything learned about the member (new term): probe from next. */
  void reset(long next) {
    resetState(State.PROBE);
    this.match = 0;
    this.next = next;
    this.recentActive = false;
  }

  private void resetState(State s) {
    probeSent = false;
    pendingSnapshot = 0;
    state = s;
    inflights.reset();
  }

  void becomeProbe() {
    if (state == State.SNAPSHOT) {
      long pending = pendingSnapshot;
      resetState(State.PROBE);
      next = Math.max(match + 1, pending + 1);
    } else {
      resetState(State.PROBE);
      next = match + 1;
    }
  }

  void becomeReplicate() {
    resetState(State.REPLICATE);
    next = match + 1;
  }

  void becomeSnapshot(long snapshotIndex) {
    resetState(State.SNAPSHOT);
    pendingSnapshot = snapshotIndex;
  }

  /** Records an acknowledgement of index n; returns whether match moved. */
  boolean maybeUpdate(long n) {
    boolean updated = false;
    if (match < n) {
      match = n;
      updated = true;
      probeSent = false;
    }
    next = Math.max(next, n + 1);
    return updated;
  }

  /** A MsgApp for (rejected) was refused; matchHint is where the member's log may match. Returns false if stale. */
  boolean maybeDecrTo(long rejected, long matchHint) {
    if (state == State.REPLICATE) {
      if (rejected <= match) {
        return false;
      }
      next = match + 1;
      return true;
    }
    if (next - 1 != rejected) {
      return false;
    }
    next = Math.max(Math.min(rejected, matchHint + 1), 1);
    probeSent = false;
    return true;
  }

  boolean isPaused() {
    return switch (state) {
      case PROBE -> probeSent;
      case REPLICATE -> inflights.full();
      case SNAPSHOT -> true;
    };
  }

  @Override
  public String toString() {
    return state + " match=" + match + " next=" + next + (isLearner ? " learner" : "")
        + (state == State.SNAPSHOT ? " pendingSnap=" + pendingSnapshot : "") + " inflight=" + inflights.count();
  }
}
