package io.vetch.raft;

import io.vetch.api.raftpb.ConfState;
import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.MessageType;
import io.vetch.api.raftpb.Snapshot;

/**
 * Step functions of followers and (pre-)candidates (etcd's stepFollower, stepCandidate) and the follower's
 * handling of the leader's MsgApp, MsgHeartbeat and MsgSnap. Acknowledgements produced here promise durability:
 * they leave in a Ready whose messages are sent only after its entries are persisted.
 */
final class Follower {
  private final Raft r;

  Follower(Raft r) {
    this.r = r;
  }

  void stepFollower(Message m) throws ProposalDroppedException {
    switch (m.getType()) {
      case MsgProp -> throw new ProposalDroppedException(r.lead == 0 ? "no leader" : "not leader");
      case MsgApp -> {
        r.electionElapsed = 0;
        r.lead = m.getFrom();
        handleAppendEntries(m);
      }
      case MsgHeartbeat -> {
        r.electionElapsed = 0;
        r.lead = m.getFrom();
        handleHeartbeat(m);
      }
      case MsgSnap -> {
        r.electionElapsed = 0;
        r.lead = m.getFrom();
        handleSnapshot(m);
      }
      case MsgTransferLeader, MsgReadIndex -> {
        if (r.lead != 0) {
          r.send(m.toBuilder().setTo(r.lead));
        }
      }
      case MsgTimeoutNow -> r.hup(Raft.CampaignType.TRANSFER);
      case MsgReadIndexResp -> {
        if (m.getEntriesCount() == 1) {
          r.readStates.add(new ReadState(m.getIndex(), m.getEntries(0).getData().toByteArray()));
        }
      }
      default -> { }
    }
  }

  void stepCandidate(Message m) throws ProposalDroppedException {
    MessageType myVoteResp =
        r.state == StateType.PRE_CANDIDATE ? MessageType.MsgPreVoteResp : MessageType.MsgVoteResp;
    switch (m.getType()) {
      case MsgProp -> throw new ProposalDroppedException("no leader");
      case MsgApp -> {
        r.becomeFollower(m.getTerm(), m.getFrom());
        handleAppendEntries(m);
      }
      case MsgHeartbeat -> {
        r.becomeFollower(m.getTerm(), m.getFrom());
        handleHeartbeat(m);
      }
      case MsgSnap -> {
        r.becomeFollower(m.getTerm(), m.getFrom());
        handleSnapshot(m);
      }
      default -> {
        if (m.getType() != myVoteResp) {
          return;
        }
        switch (r.poll(m.getFrom(), !m.getReject())) {
          case WON -> {
            if (r.state == StateType.PRE_CANDIDATE) {
              r.campaign(Raft.CampaignType.ELECTION);
            } else {
              r.becomeLeader();
              r.leader.bcastAppend();
            }
          }
          case LOST -> r.becomeFollower(r.term, 0);
          default -> { }
        }
      }
    }
  }

  // ---- follower handlers

  private void handleAppendEntries(Message m) {
    Message.Builder resp = Message.newBuilder().setType(MessageType.MsgAppResp).setTo(m.getFrom());
    if (m.getIndex() < r.memoryStorage.committed) {
      r.send(resp.setIndex(r.memoryStorage.committed));
      return;
    }
    long lastNew = r.memoryStorage.maybeAppend(m.getIndex(), m.getLogTerm(), m.getCommit(), m.getEntriesList());
    if (lastNew >= 0) {
      if (m.getNoReply() && m.getEntriesCount() == 0) {
        return; // the leader wants no answer: our answers to the entries up to m's index tell it everything
      }
      r.send(resp.setIndex(lastNew));
    } else {
      long hint = r.memoryStorage.findConflictByTerm(Math.min(m.getIndex(), r.memoryStorage.lastIndex()), m.getLogTerm());
      r.send(resp.setIndex(m.getIndex()).setReject(true).setRejectHint(hint)
          .setLogTerm(Math.max(r.memoryStorage.term(hint), 0)));
    }
  }

  private void handleHeartbeat(Message m) {
    r.memoryStorage.commitTo(Math.min(m.getCommit(), r.memoryStorage.lastIndex()));
    r.send(Message.newBuilder().setType(MessageType.MsgHeartbeatResp).setTo(m.getFrom()).setContext(m.getContext()));
  }

  private void handleSnapshot(Message m) {
    Message.Builder resp = Message.newBuilder().setType(MessageType.MsgAppResp).setTo(m.getFrom());
    if (restore(m.getSnapshot())) {
      r.send(resp.setIndex(r.memoryStorage.lastIndex()));
    } else {
      r.send(resp.setIndex(r.memoryStorage.committed));
    }
  }

  /** Installs a snapshot newer than our commit index that is not already covered by our log. */
  private boolean restore(Snapshot s) {
    long index = s.getMetadata().getIndex();
    if (index <= r.memoryStorage.committed) {
      return false;
    }
    ConfState cs = s.getMetadata().getConfState();
    if (!cs.getVotersList().contains(r.id) && !cs.getLearnersList().contains(r.id)) {
      return false; // we are not in the snapshot's membership: ignore rather than corrupt our log
    }
    if (r.memoryStorage.matchTerm(index, s.getMetadata().getTerm())) {
      r.memoryStorage.commitTo(index); // our log already has it: just fast-forward the commit index
      return false;
    }
    r.memoryStorage.restore(s);
    r.trk.restore(cs, r.memoryStorage.lastIndex());
    r.confReplayedTo = index;
    return true;
  }
}
