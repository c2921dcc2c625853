package io.vetch.server.lease;

import io.vetch.raft.ProposalDroppedException;
import io.vetch.raft.RawNode;
import java.util.HashMap;
import java.util.Map;

/**
 * The leader's lease duties, run on the raft verticle's context (it owns the RawNode): revoking expired leases,
 * checkpointing remaining TTLs, clearing a checkpoint when a keep-alive arrives, and restarting every lease's
 * deadline when this member becomes leader. Proposals are dropped quietly when leadership is moving; the next
 * leader decides.
 */
public final class LeaseKeeper {
  private static final System.Logger LOG = System.getLogger(LeaseKeeper.class.getName());
  /** Ticks between expiry checks, and before an unapplied revoke is proposed again. */
  private static final int EXPIRY_CHECK_TICKS = 5;
  private static final int REVOKE_RETRY_TICKS = 30;
  /** Ticks between checkpoints of the leases' remaining TTLs (5 s at the default heartbeat). */
  private static final int CHECKPOINT_TICKS = 50;

  private final RawNode node;
  private final Lessor lessor;
  private final LeaseProposals proposals;
  /** Leases whose revoke this leader proposed, with the tick when it did. */
  private final Map<Long, Long> revoking = new HashMap<>();
  private long ticks;

  public LeaseKeeper(RawNode node, Lessor lessor, LeaseProposals proposals) {
    this.node = node;
    this.lessor = lessor;
    this.proposals = proposals;
  }

  public void tick() {
    ticks++;
    if (ticks % EXPIRY_CHECK_TICKS == 0) {
      revokeExpired();
    }
    if (ticks % CHECKPOINT_TICKS == 0) {
      checkpoint();
    }
  }

  /** This member became leader: every lease restarts at its last checkpoint, or its full TTL (etcd's Promote). */
  public void promoted() {
    lessor.refreshAll();
  }

  /**
   * The leader alone decides expiry: each expired lease gets a revoke proposal (again if still not applied after a
   * while); applying it deletes the lease and its keys on every member alike. A leader without quorum steps down
   * (CheckQuorum), and a stopped one cannot commit, so neither revokes anything.
   */
  private void revokeExpired() {
    if (!node.isLeader()) {
      revoking.clear();
      return;
    }
    revoking.keySet().removeIf(id -> !lessor.exists(id));
    for (long id : lessor.expired()) {
      Long since = revoking.get(id);
      if (since != null && ticks - since < REVOKE_RETRY_TICKS) {
        continue;
      }
      if (!propose(proposals.revoke(id))) {
        return;
      }
      revoking.put(id, ticks);
    }
  }

  /**
   * A keep-alive reached this member's raft context (from a client here or forwarded by a follower): the deadline
   * moves, and on the leader a checkpoint taken before it is cleared through Raft, so a new leader would not expire
   * the lease early. Returns whether it proposed anything.
   */
  public boolean keepAlive(long id) {
    return lessor.renew(id) > 0 && node.isLeader() && lessor.checkpointed(id)
        && propose(proposals.checkpoint(Map.of(id, 0L)));
  }

  /** The leader records every lease's remaining TTL through Raft (etcd's lease checkpoints, always on here). */
  private void checkpoint() {
    if (!node.isLeader()) {
      return;
    }
    Map<Long, Long> remaining = new HashMap<>();
    long now = lessor.now();
    lessor.all().forEach(l -> {
      long left = l.remaining(now);
      if (left > 0 && left < l.ttl) {
        remaining.put(l.id, left);
      }
    });
    if (!remaining.isEmpty()) {
      propose(proposals.checkpoint(remaining));
    }
  }

  private boolean propose(byte[] data) {
    try {
      node.propose(data);
      return true;
    } catch (ProposalDroppedException e) {
      LOG.log(System.Logger.Level.DEBUG, "lease proposal dropped: {0}", e.getMessage());
      return false;
    }
  }
}
