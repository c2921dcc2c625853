package io.vetch.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Maintenance.MoveLeader calls waiting on the leader (etcd's MoveLeader): each waits until its transferee leads, and
 * fails once timeoutTicks ticks have passed without that. Plain state on the raft verticle's context; not
 * thread-safe.
 *
 * @param <W> a waiting call
 */
final class LeaderTransfers<W> {
  private final int timeoutTicks;
  private final Consumer<W> moved;
  private final Consumer<W> timedOut;
  private final Map<Long, List<Waiting<W>>> byTarget = new HashMap<>();

  private static final class Waiting<W> {
    final W call;
    int ticksLeft;

    Waiting(W call, int ticksLeft) {
      this.call = call;
      this.ticksLeft = ticksLeft;
    }
  }

  /** moved answers a call whose transferee now leads; timedOut fails one that waited timeoutTicks ticks. */
  LeaderTransfers(int timeoutTicks, Consumer<W> moved, Consumer<W> timedOut) {
    this.timeoutTicks = timeoutTicks;
    this.moved = moved;
    this.timedOut = timedOut;
  }

  /** call waits until target leads. */
  void await(long target, W call) {
    byTarget.computeIfAbsent(target, t -> new ArrayList<>()).add(new Waiting<>(call, timeoutTicks));
  }

  /** The member now known to lead: the calls waiting for it are answered. */
  void leaderIs(long lead) {
    List<Waiting<W>> done = byTarget.remove(lead);
    if (done != null) {
      done.forEach(w -> moved.accept(w.call));
    }
  }

  /** One tick: calls that have waited timeoutTicks ticks fail. */
  void tick() {
    for (Iterator<List<Waiting<W>>> lists = byTarget.values().iterator(); lists.hasNext(); ) {
      List<Waiting<W>> list = lists.next();
      for (Iterator<Waiting<W>> it = list.iterator(); it.hasNext(); ) {
        Waiting<W> w = it.next();
        if (--w.ticksLeft <= 0) {
          it.remove();
          timedOut.accept(w.call);
        }
      }
      if (list.isEmpty()) {
        lists.remove();
      }
    }
  }
}
