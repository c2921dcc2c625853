package io.vetch.server.bus;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Proposals for the raft verticle, as one event-bus message: either one proposal alone ({@link #of}), or an
 * event-loop context's outbox (a client verticle's, one per event loop). The first proposal added while the outbox
 * is not posted has the caller post it (delivered in its turn among the raft verticle's other messages); proposals
 * added before the raft verticle drains it ride along. Thread-safe: one event loop adds, the raft verticle drains;
 * a proposal added while a drain runs is taken by it or posts the outbox again, never lost.
 */
public final class Proposals {
  private final Proposal only;
  private final ConcurrentLinkedQueue<Proposal> queue;
  private final AtomicBoolean posted;

  /** An empty outbox. */
  public Proposals() {
    this.only = null;
    this.queue = new ConcurrentLinkedQueue<>();
    this.posted = new AtomicBoolean();
  }

  private Proposals(Proposal only) {
    this.only = only;
    this.queue = null;
    this.posted = null;
  }

  /** A message carrying p alone: nothing rides along with it. */
  public static Proposals of(Proposal p) {
    return new Proposals(p);
  }

  /** Adds p to this outbox; true when the caller must now post it to the raft verticle. */
  public boolean add(Proposal p) {
    queue.add(p);
    return posted.compareAndSet(false, true);
  }

  /** On the raft verticle: hands every proposal added so far to each, in order. */
  public void drain(Consumer<Proposal> each) {
    if (only != null) {
      each.accept(only);
      return;
    }
    posted.set(false);
    for (Proposal p = queue.poll(); p != null; p = queue.poll()) {
      each.accept(p);
    }
  }
}
