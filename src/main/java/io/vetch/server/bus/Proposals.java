package io.vetch.server.bus;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One event-loop context's outbox of proposals for the raft verticle (a client verticle's, one per event loop). The first proposal added while the outbox is not
 * posted has the caller post it (one event-bus message, delivered in its turn among the raft verticle's other
 * messages); proposals added before the raft verticle drains it ride along. Thread-safe: one event loop adds, the
 * raft verticle drains; a proposal added while a drain runs is taken by it or posts the outbox again, never lost.
 */
public final class Proposals {
  private final ConcurrentLinkedQueue<Proposal> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean posted = new AtomicBoolean();

  /** Adds p; true when the caller must now post this outbox to the raft verticle. */
  public boolean add(Proposal p) {
    queue.add(p);
    return posted.compareAndSet(false, true);
  }

  /** On the raft verticle: hands every proposal added so far to each, in order. */
  public void drain(Consumer<Proposal> each) {
    posted.set(false);
    for (Proposal p = queue.poll(); p != null; p = queue.poll()) {
      each.accept(p);
    }
  }
}
