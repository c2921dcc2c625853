package io.vetch.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.raftpb.ConfChange;
import io.vetch.api.raftpb.ConfChangeType;
import io.vetch.api.raftpb.ConfState;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random schedules over a {@link LocalNetwork}: ticks, proposals, reads, messages delivered out of order,
 * dropped and duplicated, Readies persisted late (a leader's messages go out before its fsync), partitions,
 * crashes that lose the unpersisted Ready, restarts from durable storage, snapshots and compaction. The
 * {@link SafetyChecker} runs after every step; at the end the network heals and the cluster must make progress.
 * A failing seed replays deterministically.
 */
class SimulationTest {
  private static final int STEPS = 6_000;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void threeMembers(long seed) {
    run(3, seed);
  }

  @ParameterizedTest
  @ValueSource(longs = {101, 102, 103, 104, 105, 106})
  void fiveMembers(long seed) {
    run(5, seed);
  }

  @ParameterizedTest
  @ValueSource(longs = {201, 202, 203, 204, 205, 206})
  void threeMembersWithoutPreVoteOrCheckQuorum(long seed) {
    run(3, seed, cfg -> {
      cfg.preVote = false;
      cfg.checkQuorum = false;
    });
  }

  @ParameterizedTest
  @ValueSource(longs = {401, 402, 403, 404, 405, 406})
  void fiveMembersWithMembershipChanges(long seed) {
    run(5, seed, cfg -> { }, true);
  }

  @ParameterizedTest
  @ValueSource(longs = {501, 502, 503})
  void threeMembersWithTightFlowControl(long seed) {
    run(3, seed, cfg -> {
      cfg.maxInflightMsgs = 2;
      cfg.maxSizePerMsg = 30;
    });
  }

  /**
   * While more than three voters remain one is demoted or removed; a learner is promoted. As in etcd, a removed id
   * never comes back. Null when there is nothing to do. (Shrinking to one voter can wedge: see RawNode.)
   */
  private static ConfChangeType nextChange(ConfState cs, long target, Random rnd) {
    if (cs.getVotersList().contains(target)) {
      if (cs.getVotersCount() <= 3) {
        return null;
      }
      return rnd.nextBoolean() ? ConfChangeType.ConfChangeRemoveNode : ConfChangeType.ConfChangeAddLearnerNode;
    }
    return cs.getLearnersList().contains(target) ? ConfChangeType.ConfChangeAddNode : null;
  }

  private void run(int n, long seed) {
    run(n, seed, cfg -> { }, false);
  }

  private void run(int n, long seed, Consumer<RaftConfig> tune) {
    run(n, seed, tune, false);
  }

  private void run(int n, long seed, Consumer<RaftConfig> tune, boolean changeMembership) {
    Random rnd = new Random(seed);
    LocalNetwork net = new LocalNetwork(n, seed, tune);
    SafetyChecker checker = new SafetyChecker();
    int proposals = 0;
    int reads = 0;
    Map<String, Long> readFloor = new HashMap<>();
    for (int step = 0; step < STEPS; step++) {
      Member m = net.member(1 + rnd.nextInt(n));
      int action = rnd.nextInt(100);
      try {
        if (action < 8) {
          if (m.up) {
            m.node.tick();
          }
        } else if (action < 50) {
          if (!net.inFlight.isEmpty()) {
            int i = rnd.nextBoolean() ? 0 : rnd.nextInt(net.inFlight.size()); // reorder, but starve nothing
            if (rnd.nextInt(20) == 0) {
              net.inFlight.add(net.inFlight.get(i)); // duplicate
            }
            net.deliver(i);
          }
        } else if (action < 53) {
          if (!net.inFlight.isEmpty()) {
            net.drop(rnd.nextInt(net.inFlight.size()));
          }
        } else if (action < 63) {
          if (m.up) {
            m.takeReady(net::send);
          }
        } else if (action < 75) {
          if (m.up && m.pending != null) {
            m.persist(net::send, x -> { });
          }
        } else if (action < 85) {
          if (m.up && m.node.isLeader()) {
            m.node.propose(("s" + seed + "-" + proposals++).getBytes(StandardCharsets.UTF_8));
          }
        } else if (action < 88) {
          if (m.up) {
            // linearizable: the read index covers everything committed anywhere before the request
            readFloor.put("r" + step, net.members.values().stream().filter(x -> x.up)
                .mapToLong(x -> x.node.status().commit()).max().orElse(0));
            m.node.readIndex(("r" + step).getBytes(StandardCharsets.UTF_8));
          }
        } else if (action < 90) {
          if (rnd.nextInt(3) == 0) {
            net.heal();
          } else if (rnd.nextInt(8) == 0) {
            net.isolate(m.id);
          }
        } else if (action < 91) {
          // half of the crashes hit a member between taking a Ready and persisting it
          Member victim = rnd.nextBoolean() ? m
              : net.members.values().stream().filter(x -> x.up && x.pending != null).findAny().orElse(m);
          if (victim.up && rnd.nextInt(4) == 0) {
            victim.crash();
          }
        } else if (action < 95) {
          if (!m.up) {
            m.restart();
          }
        } else if (action < 97) {
          if (m.up) {
            m.snapshotAndCompact(rnd.nextInt(5));
          }
        } else if (action < 98) {
          if (m.up && m.node.isLeader() && rnd.nextInt(4) == 0) {
            m.node.transferLeader(1 + rnd.nextInt(n));
          }
        } else if (m.up && m.node.isLeader() && changeMembership) {
          long target = 1 + rnd.nextInt(n);
          ConfChangeType type = nextChange(m.node.confState(), target, rnd);
          if (target != m.id && type != null) {
            m.node.proposeConfChange(ConfChange.newBuilder().setNodeId(target).setType(type).build());
          }
        }
      } catch (ProposalDroppedException e) {
        // a transfer or a conf change is in progress; the client would retry
      }
      checker.check(net);
      for (Member x : net.members.values()) {
        for (ReadState rs : x.reads) {
          String ctx = new String(rs.requestCtx(), StandardCharsets.UTF_8);
          assertTrue(rs.index() >= readFloor.get(ctx), "seed " + seed + ": stale read index for " + ctx);
          reads++;
        }
        x.reads.clear();
      }
    }
    // heal everything and require progress
    net.heal();
    for (Member m : net.members.values()) {
      if (!m.up) {
        m.restart();
      } else if (m.pending != null) {
        m.persist(net::send, x -> { });
      }
    }
    net.stabilize();
    checker.check(net);
    boolean caughtUp = false;
    for (int t = 0; t < 500 && !caughtUp; t++) {
      net.tickAll(1);
      checker.check(net);
      Member leader = net.leader();
      if (leader == null) {
        continue;
      }
      boolean finalApplied = leader.appliedData().contains("final");
      if (!finalApplied && t % 50 == 0) {
        try {
          leader.node.propose("final".getBytes(StandardCharsets.UTF_8));
        } catch (ProposalDroppedException e) {
          // transfer in progress; retried later
        }
      }
      ConfState cs = leader.node.confState();
      caughtUp = finalApplied && net.members.values().stream()
          .filter(m -> cs.getVotersList().contains(m.id) || cs.getLearnersList().contains(m.id))
          .allMatch(m -> m.appliedIndex == leader.appliedIndex);
    }
    assertTrue(caughtUp, "seed " + seed + ": the healed cluster did not commit and apply a final entry everywhere");
    checker.checkAppliedWereCommitted();
    assertTrue(checker.committedCount() > 10, "seed " + seed + ": too little committed to mean anything");
    // However few reads the random schedule let through, the healed cluster answers one at every member (a
    // follower's is forwarded), at an index that covers everything committed before it was asked.
    long floor = net.members.values().stream().mapToLong(x -> x.node.status().commit()).max().orElse(0);
    ConfState voters = net.leader().node.confState();
    List<Member> asked = net.members.values().stream().filter(x -> x.up && voters.getVotersList().contains(x.id))
        .toList();
    for (Member x : asked) {
      x.reads.clear();
      x.node.readIndex(("final-read-" + x.id).getBytes(StandardCharsets.UTF_8));
    }
    for (int t = 0; t < 50 && asked.stream().anyMatch(x -> x.reads.isEmpty()); t++) {
      net.tickAll(1);
    }
    for (Member x : asked) {
      assertEquals(1, x.reads.size(), "seed " + seed + ": member " + x.id + " (" + reads
          + " reads answered before) got no answer to a read on the healed cluster");
      assertTrue(x.reads.get(0).index() >= floor, "seed " + seed + ": stale read index at member " + x.id);
    }
  }
}
