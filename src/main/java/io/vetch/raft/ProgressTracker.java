package io.vetch.raft;

import io.vetch.api.raftpb.ConfChange;
import io.vetch.api.raftpb.ConfState;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Membership (voters, learners), per-member {@link Progress}, and the majority quorum rules over the voters:
 * the commit index is the highest index durable on a majority, an election is won by a majority of grants.
 * Only simple (one member at a time) configuration changes; no joint consensus.
 */
final class ProgressTracker {
  enum VoteResult { PENDING, WON, LOST }

  final TreeSet<Long> voters = new TreeSet<>();
  final TreeSet<Long> learners = new TreeSet<>();
  final TreeMap<Long, Progress> progress = new TreeMap<>();
  final Map<Long, Boolean> votes = new HashMap<>();
  private final int maxInflight;

  ProgressTracker(int maxInflight) {
    this.maxInflight = maxInflight;
  }

  ConfState confState() {
    return ConfState.newBuilder().addAllVoters(voters).addAllLearners(learners).build();
  }

  /** Replaces the membership by cs; members already tracked keep their progress. */
  void restore(ConfState cs, long lastIndex) {
    if (cs.getVotersOutgoingCount() > 0) {
      throw new IllegalArgumentException("joint configurations are not supported: " + cs);
    }
    voters.clear();
    learners.clear();
    voters.addAll(cs.getVotersList());
    learners.addAll(cs.getLearnersList());
    progress.keySet().removeIf(id -> !voters.contains(id) && !learners.contains(id));
    for (long id : voters) {
      track(id, lastIndex, false);
    }
    for (long id : learners) {
      track(id, lastIndex, true);
    }
  }

  void apply(ConfChange cc, long lastIndex) {
    long id = cc.getNodeId();
    switch (cc.getType()) {
      case ConfChangeAddNode -> {
        learners.remove(id);
        voters.add(id);
        track(id, lastIndex, false);
      }
      case ConfChangeAddLearnerNode -> {
        voters.remove(id);
        learners.add(id);
        track(id, lastIndex, true);
      }
      case ConfChangeRemoveNode -> {
        voters.remove(id);
        learners.remove(id);
        progress.remove(id);
      }
      case ConfChangeUpdateNode -> { }
      default -> throw new IllegalArgumentException("unknown conf change type " + cc.getType());
    }
  }

  private void track(long id, long lastIndex, boolean learner) {
    Progress pr = progress.get(id);
    if (pr == null) {
      pr = new Progress(lastIndex + 1, maxInflight, learner);
      pr.recentActive = true;
      progress.put(id, pr);
    }
    pr.isLearner = learner;
  }

  int quorum() {
    return voters.size() / 2 + 1;
  }

  boolean isSingleton() {
    return voters.size() == 1;
  }

  /** Highest index whose entry is durable on a majority of voters (0 without voters). */
  long committed() {
    if (voters.isEmpty()) {
      return 0;
    }
    long[] matches = new long[voters.size()];
    int i = 0;
    for (long id : voters) {
      Progress pr = progress.get(id);
      matches[i++] = pr == null ? 0 : pr.match;
    }
    Arrays.sort(matches);
    return matches[matches.length - quorum()];
  }

  /** Whether a majority of voters have been active since the last check (the caller counts itself active). */
  boolean quorumActive() {
    int active = 0;
    for (long id : voters) {
      Progress pr = progress.get(id);
      if (pr != null && pr.recentActive) {
        active++;
      }
    }
    return active >= quorum();
  }

  void resetVotes() {
    votes.clear();
  }

  void recordVote(long id, boolean granted) {
    votes.putIfAbsent(id, granted);
  }

  VoteResult voteResult() {
    return voteResult(votes);
  }

  VoteResult voteResult(Map<Long, Boolean> ballots) {
    int granted = 0;
    int missing = 0;
    for (long id : voters) {
      Boolean v = ballots.get(id);
      if (v == null) {
        missing++;
      } else if (v) {
        granted++;
      }
    }
    if (granted >= quorum()) {
      return VoteResult.WON;
    }
    return granted + missing >= quorum() ? VoteResult.PENDING : VoteResult.LOST;
  }
}
