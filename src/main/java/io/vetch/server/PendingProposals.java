package io.vetch.server;

import io.vertx.core.eventbus.EventBus;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vertx.grpc.server.StatusException;
import io.vetch.server.bus.Proposal;
import io.vetch.server.bus.ProposalResult;
import io.vetch.server.bus.ProposalResults;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * This member's client proposals waiting for their entry to be applied here. Each is answered exactly once, by
 * whichever comes first: the storage worker applying the entry (straight to the client, without a hop through
 * the raft verticle) or the raft verticle failing it (leader change, stop). Answers go to each proposal's reply
 * address, one {@link ProposalResults} message per address and batch.
 *
 * <p>Also the decoded requests of the entries this member appended as leader, by index and term, in the order
 * appended, for the apply to take instead of decoding the entry: raft's log matching makes the entry applied at
 * that index and term the one appended. Those the apply passes without taking (an entry replaced after a leader
 * change) are dropped then. Thread-safe: the raft verticle adds, the storage worker answers and takes.
 */
final class PendingProposals {
  private record Appended(long index, long term, InternalRaftRequest request) {}

  private final EventBus bus;
  /** Request id to the address its result goes to. */
  private final ConcurrentHashMap<Long, String> waiting = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Appended> appended = new ConcurrentLinkedQueue<>();
  /** The index last added to appended (the raft verticle's). */
  private long lastAppended;
  private final LongAdder failed = new LongAdder();

  PendingProposals(EventBus bus) {
    this.bus = bus;
  }

  /** p was proposed; index is that of the entry appended here for it at term, or 0 (forwarded, or not this way). */
  void add(Proposal p, long index, long term) {
    waiting.put(p.id(), p.replyTo());
    if (index == 0 || p.request() == null) {
      return;
    }
    if (index <= lastAppended) {
      appended.clear(); // a new term appends over indexes already queued: the queue stays in index order
    }
    lastAppended = index;
    appended.add(new Appended(index, term, p.request()));
  }

  /**
   * The decoded request of the entry at index and term if this member appended it as leader, else null. Called in
   * index order, by the apply.
   */
  InternalRaftRequest appendedRequest(long index, long term) {
    Appended a;
    while ((a = appended.peek()) != null && a.index() < index) {
      appended.poll();
    }
    if (a == null || a.index() != index) {
      return null;
    }
    appended.poll();
    return a.term() == term ? a.request() : null;
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
