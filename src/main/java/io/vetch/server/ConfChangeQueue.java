package io.vetch.server;

import java.util.ArrayDeque;

/**
 * Conf changes waiting their turn on the leader. Raft takes one at a time: a second one proposed before the first
 * is applied is dropped (etcd replaces it by an empty entry and its client times out). Here it waits, oldest first,
 * until the one before it is applied, for at most timeoutTicks ticks; a client that removes a member and adds
 * another right away (or two clients changing membership at once) gets both done. Plain state on the raft
 * verticle's context; not thread-safe.
 */
final class ConfChangeQueue {
  private final int timeoutTicks;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

  private static final class Waiting {
    final byte[] data;
    int ticksLeft;

    Waiting(byte[] data, int ticksLeft) {
      this.data = data;
      this.ticksLeft = ticksLeft;
    }
  }

  /** The proposer of a conf change (an encoded ConfChange); throws what Raft throws when it drops one. */
  interface Proposer {
    void propose(byte[] data) throws io.vetch.raft.ProposalDroppedException;
  }

  ConfChangeQueue(int timeoutTicks) {
    this.timeoutTicks = timeoutTicks;
  }

  /** data waits for the conf changes before it (true while one is pending, or others wait already). */
  boolean mustWait(boolean pending) {
    return pending || !waiting.isEmpty();
  }

  void add(byte[] data) {
    waiting.add(new Waiting(data, timeoutTicks));
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  /** Proposes the oldest waiting conf change when none is pending; returns why Raft dropped it, or null. */
  String proposeNext(boolean pending, Proposer proposer) {
    if (pending || waiting.isEmpty()) {
      return null;
    }
    try {
      proposer.propose(waiting.poll().data);
      return null;
    } catch (io.vetch.raft.ProposalDroppedException e) {
      return e.getMessage();
    }
  }

  /** No longer the leader: the waiting ones are dropped (their clients time out or see the leader change). */
  int clear() {
    int n = waiting.size();
    waiting.clear();
    return n;
  }

  /** One tick: conf changes that waited timeoutTicks ticks are dropped; returns how many. */
  int tick() {
    int dropped = 0;
    for (var it = waiting.iterator(); it.hasNext(); ) {
      if (--it.next().ticksLeft <= 0) {
        it.remove();
        dropped++;
      }
    }
    return dropped;
  }
}
