package io.vetch.server;

import io.vertx.core.eventbus.Message;
import io.vertx.grpc.server.StatusException;
import io.vetch.server.bus.Proposal;
import io.vetch.server.bus.ProposalResult;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This member's client proposals waiting for their entry to be applied here. Each is answered exactly once, by
 * whichever comes first: the storage worker applying the entry (straight to the client, without a hop through
 * the raft verticle) or the raft verticle failing it (leader change, stop). Thread-safe.
 */
final class PendingProposals {
  private final ConcurrentHashMap<Long, Message<Proposal>> waiting = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.LongAdder failed = new java.util.concurrent.atomic.LongAdder();

  void add(Message<Proposal> m) {
    waiting.put(m.body().id(), m);
  }

  /** Answers the proposal r is for, if this member still waits for it. */
  void answer(ProposalResult r) {
    Message<Proposal> m = waiting.remove(r.id());
    if (m != null) {
      m.reply(r);
    }
  }

  /** Fails every waiting proposal with error. */
  void failAll(StatusException error) {
    for (Long id : waiting.keySet()) {
      Message<Proposal> m = waiting.remove(id);
      if (m != null) {
        failed.increment();
        m.reply(new ProposalResult(id, null, error));
      }
    }
  }

  /** Proposals waiting to be applied (etcd_server_proposals_pending). */
  int size() {
    return waiting.size();
  }

  /** Proposals failed so far (etcd_server_proposals_failed_total). */
  long failed() {
    return failed.sum();
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }
}
