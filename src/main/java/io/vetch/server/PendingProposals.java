package io.vetch.server;

import io.vertx.core.eventbus.EventBus;
import io.vertx.grpc.server.StatusException;
import io.vetch.server.bus.Proposal;
import io.vetch.server.bus.ProposalResult;
import io.vetch.server.bus.ProposalResults;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * This member's client proposals waiting for their entry to be applied here. Each is answered exactly once, by
 * whichever comes first: the storage worker applying the entry (straight to the client, without a hop through
 * the raft verticle) or the raft verticle failing it (leader change, stop). Answers go to each proposal's reply
 * address, one {@link ProposalResults} message per address and batch. Thread-safe.
 */
final class PendingProposals {
  private final EventBus bus;
  /** Request id to the address its result goes to. */
  private final ConcurrentHashMap<Long, String> waiting = new ConcurrentHashMap<>();
  private final LongAdder failed = new LongAdder();

  PendingProposals(EventBus bus) {
    this.bus = bus;
  }

  void add(Proposal p) {
    waiting.put(p.id(), p.replyTo());
  }

  /** Answers the proposals results are for that this member still waits for; returns how many. */
  int answer(List<ProposalResult> results) {
    ProposalResults.Batch batch = new ProposalResults.Batch(bus);
    for (ProposalResult r : results) {
      String to = waiting.remove(r.id());
      if (to != null) { // else another member's proposal, or already failed
        batch.add(to, r);
      }
    }
    return batch.send();
  }

  /** Fails every waiting proposal with error. */
  void failAll(StatusException error) {
    List<ProposalResult> all = new ArrayList<>();
    for (Long id : waiting.keySet()) {
      all.add(new ProposalResult(id, null, error));
    }
    failed.add(answer(all));
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
