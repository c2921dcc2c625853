package io.vetch.server.grpc;

import io.vetch.server.base.EtcdErrors;
import io.vetch.server.bus.ProposalResult;
import io.vetch.server.bus.ProposalResults;
import io.vertx.core.Future;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * etcd's wait.Wait for one event-loop context: the proposals and read-index requests made on it that wait for their
 * results. The member sends the results to this context's own address, several to a message
 * ({@link ProposalResults}); a request still waiting after the request timeout fails with etcd's timeout. One timer
 * per context at a time instead of a reply registration and a timer per request. Used only on its context's event
 * loop.
 */
final class ProposalWait {
  private static final AtomicLong NEXT = new AtomicLong();

  private final ContextInternal home;
  private final String address;
  private final long timeoutNanos;
  private final HashMap<Long, Waiter> waiting = new HashMap<>();
  /** Every waiter in the order it was registered, so by deadline; the head's timer is the only one set. */
  private final ArrayDeque<Waiter> byDeadline = new ArrayDeque<>();
  private boolean timerSet;

  private record Waiter(long id, long deadline, PromiseInternal<Object> promise) {}

  /** Listens on addressPrefix plus a number of its own; call on home's event loop. */
  ProposalWait(ContextInternal home, String addressPrefix, long timeoutMs) {
    this.home = home;
    this.address = addressPrefix + NEXT.incrementAndGet();
    this.timeoutNanos = timeoutMs * 1_000_000;
    ContextInternal prev = home.beginDispatch(); // the consumer belongs to home, not to the current request
    try {
      home.owner().eventBus().<ProposalResults>localConsumer(address, m -> onResults(m.body()));
    } finally {
      home.endDispatch(prev);
    }
  }

  /** Where the results for this context's proposals go. */
  String address() {
    return address;
  }

  /** The result of request id, completed on caller (a context on home's event loop). */
  Future<Object> register(long id, ContextInternal caller) {
    Waiter w = new Waiter(id, System.nanoTime() + timeoutNanos, caller.promise());
    waiting.put(id, w);
    byDeadline.addLast(w);
    if (!timerSet) {
      schedule(timeoutNanos);
    }
    return w.promise().future();
  }

  private void onResults(ProposalResults results) {
    for (ProposalResult r : results.results()) {
      Waiter w = waiting.remove(r.id());
      if (w == null) {
        continue; // timed out already
      }
      completeNow(w.promise(), r.response(), r.error());
    }
    Waiter head;
    while ((head = byDeadline.peekFirst()) != null && waiting.get(head.id()) != head) {
      byDeadline.pollFirst(); // answered
    }
  }

  /** Completes p with result, or fails it with error when not null, now, running its callbacks on p's context. */
  static <T> void completeNow(PromiseInternal<T> p, T result, Throwable error) {
    ContextInternal ctx = p.context();
    ContextInternal prev = ctx.beginDispatch();
    try {
      if (error != null) {
        p.tryFail(error);
      } else {
        p.tryComplete(result);
      }
    } finally {
      ctx.endDispatch(prev);
    }
  }

  private void schedule(long nanos) {
    timerSet = true;
    home.setTimer(Math.max(1, nanos / 1_000_000), t -> expire());
  }

  private void expire() {
    timerSet = false;
    long now = System.nanoTime();
    Waiter w;
    while ((w = byDeadline.peekFirst()) != null) {
      if (waiting.get(w.id()) != w) {
        byDeadline.pollFirst();
      } else if (w.deadline() - now <= 0) {
        byDeadline.pollFirst();
        waiting.remove(w.id());
        w.promise().tryFail(EtcdErrors.timeout());
      } else {
        schedule(w.deadline() - now);
        return;
      }
    }
  }
}
