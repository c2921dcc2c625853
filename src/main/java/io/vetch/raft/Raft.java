package io.vetch.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vetch.api.raftpb.ConfChange;
import io.vetch.api.raftpb.ConfState;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.EntryType;
import io.vetch.api.raftpb.HardState;
import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The Raft state machine (etcd's raft struct): term, vote, role, log, membership. Messages go through
 * {@link #step}: the term rules and votes are handled here for every role, then the role's step function runs
 * (follower and candidates here, leader in {@link Leader}). Outgoing messages accumulate in {@link #msgs} and
 * answered reads in {@link #readStates}; {@link RawNode} hands both out in a Ready. Not thread-safe; one owner.
 */
final class Raft {
  enum CampaignType { PRE_ELECTION, ELECTION, TRANSFER }

  static final ByteString CAMPAIGN_TRANSFER = ByteString.copyFromUtf8("CampaignTransfer");

  final long id;
  final RaftLog memoryStorage;
  final ProgressTracker trk;
  final Leader leader = new Leader(this);
  private final Follower follower = new Follower(this);
  final int electionTimeout;
  final int heartbeatTimeout;
  final boolean checkQuorum;
  final boolean preVote;
  final long maxMsgSize;
  private final Random random;

  long term;
  long vote;
  long lead;
  StateType state = StateType.FOLLOWER;
  List<Message> msgs = new ArrayList<>();
  List<ReadState> readStates = new ArrayList<>();
  ReadOnly readOnly = new ReadOnly();
  final List<Message> pendingReadIndexMessages = new ArrayList<>();
  int electionElapsed;
  int heartbeatElapsed;
  int randomizedElectionTimeout;
  long leadTransferee;
  /** Index of the last conf change appended by this leader; a new one is refused until it is applied. */
  long pendingConfIndex;
  /** Entries were proposed since the leader last sent appends: taking the next Ready sends them (flushAppends). */
  boolean appendsOwed;
  /** Conf changes up to this index are already reflected in trk (replayed at restart, bootstrap or snapshot). */
  long confReplayedTo;

  Raft(RaftConfig cfg, RaftStorage storage) {
    cfg.validate();
    this.id = cfg.id;
    this.memoryStorage = new RaftLog(storage, cfg.maxSizePerMsg);
    this.trk = new ProgressTracker(cfg.maxInflightMsgs);
    this.electionTimeout = cfg.electionTick;
    this.heartbeatTimeout = cfg.heartbeatTick;
    this.checkQuorum = cfg.checkQuorum;
    this.preVote = cfg.preVote;
    this.maxMsgSize = cfg.maxSizePerMsg;
    this.random = cfg.random != null ? cfg.random : new Random();
    HardState hs = storage.hardState();
    trk.restore(storage.confState(), memoryStorage.lastIndex());
    if (memoryStorage.lastIndex() == 0 && hs.getTerm() == 0 && !trk.voters.isEmpty()) {
      bootstrapEntries();
    } else {
      loadState(hs, cfg.applied);
    }
    becomeFollower(term, 0);
  }

  /** A new cluster: the initial members become committed conf-change entries at term 1 (etcd's Bootstrap). */
  private void bootstrapEntries() {
    List<Entry> ents = new ArrayList<>();
    for (long voter : trk.voters) {
      ConfChange cc = ConfChange.newBuilder().setType(io.vetch.api.raftpb.ConfChangeType.ConfChangeAddNode)
          .setNodeId(voter).setContext(memoryStorage.storage.bootstrapContext(voter)).build();
      ents.add(Entry.newBuilder().setType(EntryType.EntryConfChange).setTerm(1).setIndex(ents.size() + 1)
          .setData(cc.toByteString()).build());
    }
    memoryStorage.append(ents);
    memoryStorage.committed = ents.size();
    confReplayedTo = ents.size();
    term = 1;
  }

  private void loadState(HardState hs, long applied) {
    long commit = Math.max(hs.getCommit(), Math.min(applied, memoryStorage.lastIndex()));
    if (commit < memoryStorage.committed || commit > memoryStorage.lastIndex()) {
      throw new IllegalStateException("hard state commit " + commit + " out of [" + memoryStorage.committed + ", "
          + memoryStorage.lastIndex() + "]");
    }
    memoryStorage.committed = commit;
    term = hs.getTerm();
    vote = hs.getVote();
    // Storage's membership is the snapshot's; conf changes applied after it are replayed here, later committed
    // ones are delivered again as committed entries and applied by the driver.
    long from = memoryStorage.storage.snapshot().getMetadata().getIndex() + 1;
    long to = Math.min(applied, commit);
    if (from <= to && from < memoryStorage.firstIndex()) {
      throw new IllegalStateException("log compacted past the snapshot: conf changes in [" + from + ", "
          + (memoryStorage.firstIndex() - 1) + "] are lost");
    }
    for (long i = from; i <= to; i++) {
      Entry e = memoryStorage.slice(i, i + 1, Long.MAX_VALUE).get(0);
      if (e.getType() == EntryType.EntryConfChange) {
        trk.apply(parseConfChange(e), memoryStorage.lastIndex());
      }
    }
    confReplayedTo = Math.max(to, 0);
    if (applied > 0) {
      memoryStorage.appliedTo(Math.min(applied, commit));
    }
  }

  static ConfChange parseConfChange(Entry e) {
    try {
      return ConfChange.parseFrom(e.getData());
    } catch (InvalidProtocolBufferException ex) {
      throw new IllegalStateException("unreadable conf change at index " + e.getIndex(), ex);
    }
  }

  HardState hardState() {
    return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(memoryStorage.committed).build();
  }

  SoftState softState() {
    return new SoftState(lead, state);
  }

  boolean promotable() {
    return trk.voters.contains(id);
  }

  // ---- sending

  void send(Message.Builder m) {
    m.setFrom(id);
    MessageType t = m.getType();
    boolean voteType = t == MessageType.MsgVote || t == MessageType.MsgVoteResp || t == MessageType.MsgPreVote
        || t == MessageType.MsgPreVoteResp;
    if (!voteType && t != MessageType.MsgProp && t != MessageType.MsgReadIndex) {
      m.setTerm(term);
    }
    msgs.add(m.build());
  }

  // ---- ticks

  void tick() {
    if (state == StateType.LEADER) {
      leader.tickHeartbeat();
    } else {
      electionElapsed++;
      if (promotable() && electionElapsed >= randomizedElectionTimeout) {
        electionElapsed = 0;
        hup(preVote ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
      }
    }
  }

  // ---- roles

  void becomeFollower(long newTerm, long newLead) {
    reset(newTerm);
    lead = newLead;
    state = StateType.FOLLOWER;
  }

  private void becomePreCandidate() {
    trk.resetVotes();
    lead = 0;
    state = StateType.PRE_CANDIDATE;
  }

  private void becomeCandidate() {
    reset(term + 1);
    vote = id;
    state = StateType.CANDIDATE;
  }

  void becomeLeader() {
    reset(term);
    lead = id;
    state = StateType.LEADER;
    trk.progress.get(id).becomeReplicate();
    leader.appendEntries(List.of(Entry.newBuilder().setType(EntryType.EntryNormal)));
    // No conf change until this term's first entry is applied (hence committed): Ongaro's fix for single-server
    // membership changes across leader changes; it also covers conf changes of earlier terms still unapplied.
    pendingConfIndex = memoryStorage.lastIndex();
  }

  private void reset(long newTerm) {
    if (term != newTerm) {
      term = newTerm;
      vote = 0;
    }
    lead = 0;
    electionElapsed = 0;
    heartbeatElapsed = 0;
    randomizedElectionTimeout = electionTimeout + random.nextInt(electionTimeout);
    leadTransferee = 0;
    trk.resetVotes();
    long last = memoryStorage.lastIndex();
    trk.progress.forEach((pid, pr) -> {
      pr.reset(last + 1);
      if (pid == id) {
        pr.match = memoryStorage.persistedIndex();
        pr.recentActive = true;
      }
    });
    pendingConfIndex = 0;
    appendsOwed = false;
    readOnly = new ReadOnly();
    pendingReadIndexMessages.clear();
  }

  // ---- elections

  void hup(CampaignType t) {
    if (state == StateType.LEADER || !promotable()) {
      return;
    }
    long lo = Math.max(Math.max(memoryStorage.applied, confReplayedTo) + 1, memoryStorage.firstIndex());
    if (lo <= memoryStorage.committed) {
      for (Entry e : memoryStorage.slice(lo, memoryStorage.committed + 1, Long.MAX_VALUE)) {
        if (e.getType() == EntryType.EntryConfChange) {
          return; // a committed conf change is not applied yet: the voter set may be about to change
        }
      }
    }
    campaign(t);
  }

  void campaign(CampaignType t) {
    long voteTerm;
    MessageType voteMsg;
    if (t == CampaignType.PRE_ELECTION) {
      becomePreCandidate();
      voteMsg = MessageType.MsgPreVote;
      voteTerm = term + 1;
    } else {
      becomeCandidate();
      voteMsg = MessageType.MsgVote;
      voteTerm = term;
    }
    if (poll(id, true) == ProgressTracker.VoteResult.WON) {
      if (t == CampaignType.PRE_ELECTION) {
        campaign(CampaignType.ELECTION);
      } else {
        becomeLeader();
        leader.bcastAppend(); // learners hear of the new leader at once
      }
      return;
    }
    for (long voter : trk.voters) {
      if (voter == id) {
        continue;
      }
      Message.Builder m = Message.newBuilder().setType(voteMsg).setTo(voter).setTerm(voteTerm)
          .setIndex(memoryStorage.lastIndex()).setLogTerm(memoryStorage.lastTerm());
      if (t == CampaignType.TRANSFER) {
        m.setContext(CAMPAIGN_TRANSFER);
      }
      send(m);
    }
  }

  ProgressTracker.VoteResult poll(long from, boolean granted) {
    trk.recordVote(from, granted);
    return trk.voteResult();
  }

  // ---- step

  void step(Message m) throws ProposalDroppedException {
    MessageType t = m.getType();
    if (m.getTerm() > term) {
      if (t == MessageType.MsgVote || t == MessageType.MsgPreVote) {
        boolean force = m.getContext().equals(CAMPAIGN_TRANSFER);
        boolean inLease = checkQuorum && lead != 0 && electionElapsed < electionTimeout;
        if (!force && inLease) {
          return; // leader lease: a live leader is known, so this vote would only disrupt it
        }
      }
      if (t == MessageType.MsgPreVote || (t == MessageType.MsgPreVoteResp && !m.getReject())) {
        // a pre-vote never changes our term
      } else if (t == MessageType.MsgApp || t == MessageType.MsgHeartbeat || t == MessageType.MsgSnap) {
        becomeFollower(m.getTerm(), m.getFrom());
      } else {
        becomeFollower(m.getTerm(), 0);
      }
    } else if (m.getTerm() > 0 && m.getTerm() < term) {
      if (t == MessageType.MsgHeartbeat || t == MessageType.MsgApp) {
        // Tell a stale leader about the newer term. etcd does this only with checkQuorum or preVote; we always do,
        // or a learner (which never campaigns) stuck in a higher term would never hear from the leader again.
        send(Message.newBuilder().setType(MessageType.MsgAppResp).setTo(m.getFrom()));
      } else if (t == MessageType.MsgPreVote) {
        send(Message.newBuilder().setType(MessageType.MsgPreVoteResp).setTo(m.getFrom()).setTerm(term)
            .setReject(true));
      }
      return;
    }
    switch (t) {
      case MsgHup -> hup(preVote ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
      case MsgVote, MsgPreVote -> handleVote(m);
      default -> {
        switch (state) {
          case LEADER -> leader.step(m);
          case FOLLOWER -> follower.stepFollower(m);
          default -> follower.stepCandidate(m);
        }
      }
    }
  }

  private void handleVote(Message m) {
    boolean pre = m.getType() == MessageType.MsgPreVote;
    MessageType resp = pre ? MessageType.MsgPreVoteResp : MessageType.MsgVoteResp;
    boolean canVote = vote == m.getFrom() || (vote == 0 && lead == 0) || (pre && m.getTerm() > term);
    if (canVote && memoryStorage.isUpToDate(m.getIndex(), m.getLogTerm())) {
      send(Message.newBuilder().setType(resp).setTo(m.getFrom()).setTerm(m.getTerm()));
      if (!pre) {
        electionElapsed = 0;
        vote = m.getFrom();
      }
    } else {
      send(Message.newBuilder().setType(resp).setTo(m.getFrom()).setTerm(term).setReject(true));
    }
  }

  // ---- membership

  ConfState applyConfChange(ConfChange cc) {
    trk.apply(cc, memoryStorage.lastIndex());
    if (state == StateType.LEADER) {
      Progress self = trk.progress.get(id);
      if (self == null || self.isLearner) {
        becomeFollower(term, 0); // removed or demoted leader: stop leading, the others elect a new one
      } else {
        leader.afterConfChange();
      }
    }
    return trk.confState();
  }

  /** The driver persisted everything up to the log's persisted index: a leader counts itself for it now. */
  void onPersisted() {
    if (state == StateType.LEADER) {
      leader.selfPersisted(memoryStorage.persistedIndex());
    }
  }
}
