package io.vetch.raft;

import com.google.protobuf.ByteString;
import io.vetch.api.raftpb.ConfChange;
import io.vetch.api.raftpb.ConfState;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.EntryType;
import io.vetch.api.raftpb.HardState;
import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.MessageType;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Raft member without I/O, threads or clock (etcd's RawNode). The driver calls {@link #tick()} on a timer,
 * {@link #step} for peer messages, and the propose/read/transfer methods for local requests; then, whenever
 * {@link #hasReady()}, takes one {@link Ready}, persists and sends it as documented there, and calls
 * {@link #advance}. At most one Ready is outstanding: hasReady() is false and ready() throws until it is advanced.
 *
 * <p>Durability contract: advance(rd) means rd's entries, hard state and snapshot are durable (fsynced). A leader
 * counts itself toward the commit quorum only for entries acknowledged this way, so in a single-voter cluster a
 * proposal commits on the advance() after its fsync and the following Ready carries it in committedEntries.
 * committedEntries never contain entries that are not durable locally.
 *
 * <p>Membership: simple conf changes (one member at a time), effective when applied ({@link #applyConfChange}).
 * Known limitation (as in etcd): shrinking to a single voter can wedge if that voter restarts with a commit index
 * older than its own demotion of the others, and a learner holds entries the voter lost; keep three voters.
 *
 * <p>Not thread-safe: one owner thread (a Vert.x context) calls everything.
 */
public final class RawNode {
  private static final Set<MessageType> LOCAL_ONLY = EnumSet.of(MessageType.MsgHup, MessageType.MsgBeat,
      MessageType.MsgProp, MessageType.MsgCheckQuorum, MessageType.MsgUnreachable, MessageType.MsgSnapStatus);
  private static final Set<MessageType> LEADER_TRAFFIC = EnumSet.of(MessageType.MsgApp, MessageType.MsgHeartbeat,
      MessageType.MsgSnap, MessageType.MsgReadIndexResp, MessageType.MsgTimeoutNow);

  private final Raft raft;
  private SoftState prevSoftState;
  private HardState prevHardState;
  private Ready outstanding;

  /**
   * Starts (or restarts) from storage: hard state, log, and membership ({@link RaftStorage#confState()} plus the
   * conf-change entries after the snapshot up to {@link RaftConfig#applied}). Committed entries after
   * {@link RaftConfig#applied} are delivered again, conf changes among them to be applied again by the driver.
   */
  public RawNode(RaftConfig cfg, RaftStorage storage) {
    this.raft = new Raft(cfg, storage);
    this.prevSoftState = raft.softState();
    this.prevHardState = storage.hardState();
  }

  /**
   * Prepares an empty storage for a brand-new cluster with the given voters. The RawNode created on it then
   * emits the membership as committed conf-change entries (index 1..n, term 1) in its first Ready, so that the
   * WAL describes the cluster; applying them again via {@link #applyConfChange} is harmless.
   */
  public static void bootstrap(MemoryStorage s, List<Long> voters) {
    Map<Long, ByteString> contexts = new java.util.HashMap<>();
    voters.forEach(v -> contexts.put(v, ByteString.EMPTY));
    bootstrap(s, contexts);
  }

  /** As {@link #bootstrap(MemoryStorage, List)}, each voter's conf change carrying the given context. */
  public static void bootstrap(MemoryStorage s, Map<Long, ByteString> voterContexts) {
    if (s.lastIndex() != 0 || s.hardState().getTerm() != 0) {
      throw new IllegalStateException("bootstrap needs empty storage");
    }
    if (voterContexts.isEmpty()) {
      throw new IllegalArgumentException("bootstrap needs at least one voter");
    }
    s.setConfState(ConfState.newBuilder().addAllVoters(voterContexts.keySet().stream().sorted().toList()).build(),
        voterContexts);
  }

  public void tick() {
    raft.tick();
  }

  /** Starts an election now (pre-vote first if enabled); a single voter becomes leader immediately. */
  public void campaign() {
    stepLocal(Message.newBuilder().setType(MessageType.MsgHup).build());
  }

  /** Appends data to the log if this member is the leader and no transfer is in progress. */
  public void propose(byte[] data) throws ProposalDroppedException {
    raft.step(Message.newBuilder().setType(MessageType.MsgProp).setFrom(raft.id)
        .addEntries(Entry.newBuilder().setData(ByteString.copyFrom(data))).build());
  }

  /** Proposes a simple membership change; dropped while another one is not yet applied. */
  public void proposeConfChange(ConfChange cc) throws ProposalDroppedException {
    raft.step(Message.newBuilder().setType(MessageType.MsgProp).setFrom(raft.id)
        .addEntries(Entry.newBuilder().setType(EntryType.EntryConfChange).setData(cc.toByteString())).build());
  }

  /** Makes a committed conf change effective; call when applying its entry. Returns the new membership. */
  public ConfState applyConfChange(ConfChange cc) {
    return raft.applyConfChange(cc);
  }

  /** Feeds a message from a peer. Local-only types and responses from unknown members are ignored. */
  public void step(Message m) {
    if (LOCAL_ONLY.contains(m.getType())) {
      throw new IllegalArgumentException("local-only message type from the network: " + m.getType());
    }
    if (isResponse(m.getType()) && !raft.trk.progress.containsKey(m.getFrom())) {
      return;
    }
    stepLocal(m);
  }

  /**
   * Requests a linearizable read point; the answer is a {@link ReadState} with the same ctx in a later Ready,
   * after a heartbeat round confirms leadership (one round serves all requests made before it). A follower
   * forwards to the leader. Returns false (request dropped, the caller retries or fails) when no leader is known.
   */
  public boolean readIndex(byte[] requestCtx) {
    if (raft.lead == 0) {
      return false;
    }
    stepLocal(Message.newBuilder().setType(MessageType.MsgReadIndex).setFrom(raft.id)
        .addEntries(Entry.newBuilder().setData(ByteString.copyFrom(requestCtx))).build());
    return true;
  }

  /** Asks the leader to hand leadership to transferee (MsgTimeoutNow once it is caught up). */
  public void transferLeader(long transferee) {
    stepLocal(Message.newBuilder().setType(MessageType.MsgTransferLeader).setFrom(transferee).build());
  }

  /** The transport could not reach a member: the leader stops streaming to it and probes instead. */
  public void reportUnreachable(long id) {
    stepLocal(Message.newBuilder().setType(MessageType.MsgUnreachable).setFrom(id).build());
  }

  /** Outcome of sending a MsgSnap to id; required after a failure, or the member waits for a snapshot forever. */
  public void reportSnapshot(long id, boolean failed) {
    stepLocal(Message.newBuilder().setType(MessageType.MsgSnapStatus).setFrom(id).setReject(failed).build());
  }

  private void stepLocal(Message m) {
    try {
      raft.step(m);
    } catch (ProposalDroppedException e) {
      throw new IllegalStateException("unexpected drop of " + m.getType(), e);
    }
  }

  private static boolean isResponse(MessageType t) {
    return t == MessageType.MsgAppResp || t == MessageType.MsgVoteResp || t == MessageType.MsgHeartbeatResp
        || t == MessageType.MsgPreVoteResp;
  }

  /**
   * Whether a Ready is waiting (never while one is outstanding). On the leader this first sends what waits for a
   * Ready: the appends owed to followers for entries proposed since the last one, and a read-index heartbeat round.
   */
  public boolean hasReady() {
    if (outstanding != null) {
      return false;
    }
    sendWhatWaitsForReady();
    return !raft.softState().equals(prevSoftState) || !raft.hardState().equals(prevHardState)
        || !raft.memoryStorage.unstable.entries.isEmpty() || raft.memoryStorage.unstable.snapshot != null
        || raft.memoryStorage.hasNextCommittedEnts() || !raft.msgs.isEmpty() || !raft.readStates.isEmpty();
  }

  /** On the leader: the appends owed for entries proposed since the last Ready, and a read-index heartbeat round. */
  private void sendWhatWaitsForReady() {
    if (raft.state == StateType.LEADER) {
      raft.leader.flushAppends();
      raft.leader.flushReadIndex();
    }
  }

  /** Entries appended but not yet handed out in a Ready. */
  public int unstableEntries() {
    return raft.memoryStorage.unstable.entries.size();
  }

  /** Takes the pending work; the caller must {@link #advance} it before taking the next one. */
  public Ready ready() {
    if (outstanding != null) {
      throw new IllegalStateException("previous Ready not advanced");
    }
    sendWhatWaitsForReady();
    SoftState ss = raft.softState();
    HardState hs = raft.hardState();
    List<Entry> entries = raft.memoryStorage.unstableEntries();
    var snap = raft.memoryStorage.unstable.snapshot;
    List<Message> msgs = AppendBatching.merge(raft.msgs, raft.maxMsgSize);
    boolean termOrVoteChanged = hs.getTerm() != prevHardState.getTerm() || hs.getVote() != prevHardState.getVote();
    // A leader's traffic may precede its fsync only once its term is durable (a single voter wins at once: its
    // first Ready carries both the new term and MsgApp to learners).
    boolean sendBeforePersist = raft.state == StateType.LEADER && !termOrVoteChanged && allLeaderTraffic(msgs);
    boolean mustSync = !entries.isEmpty() || snap != null || termOrVoteChanged;
    Ready rd = new Ready(ss.equals(prevSoftState) ? null : ss, hs.equals(prevHardState) ? null : hs,
        List.copyOf(raft.readStates), entries, snap, raft.memoryStorage.nextCommittedEnts(), msgs, mustSync,
        sendBeforePersist);
    prevSoftState = ss;
    prevHardState = hs;
    raft.msgs.clear();
    raft.readStates.clear();
    outstanding = rd;
    return rd;
  }

  private static boolean allLeaderTraffic(List<Message> msgs) {
    for (Message m : msgs) {
      if (!LEADER_TRAFFIC.contains(m.getType())) {
        return false;
      }
    }
    return true;
  }

  /** rd (the last Ready) is durable and its committed entries are being applied. */
  public void advance(Ready rd) {
    if (rd != outstanding) {
      throw new IllegalStateException("advance of a Ready that is not the outstanding one");
    }
    outstanding = null;
    if (!rd.committedEntries.isEmpty()) {
      raft.memoryStorage.appliedTo(rd.committedEntries.get(rd.committedEntries.size() - 1).getIndex());
    }
    if (rd.snapshot != null) {
      raft.memoryStorage.stableSnapTo(rd.snapshot.getMetadata().getIndex());
      raft.memoryStorage.appliedTo(rd.snapshot.getMetadata().getIndex());
    }
    if (!rd.entries.isEmpty()) {
      Entry last = rd.entries.get(rd.entries.size() - 1);
      raft.memoryStorage.stableTo(last.getIndex(), last.getTerm());
    }
    raft.onPersisted();
  }

  /**
   * The membership in effect (storage's, plus conf changes replayed at restart and applied since). A snapshot of
   * the state machine at the applied index records this one, not {@link RaftStorage#confState()}.
   */
  public ConfState confState() {
    return raft.trk.confState();
  }

  public long id() {
    return raft.id;
  }

  /** On the leader, the highest index known to be replicated on member id (its own for itself); else -1. */
  public long matchIndex(long id) {
    Progress pr = raft.state == StateType.LEADER ? raft.trk.progress.get(id) : null;
    return pr == null ? -1 : pr.match;
  }

  public long leader() {
    return raft.lead;
  }

  public long term() {
    return raft.term;
  }

  public boolean isLeader() {
    return raft.state == StateType.LEADER;
  }

  public Status status() {
    Map<Long, String> progress = new LinkedHashMap<>();
    if (raft.state == StateType.LEADER) {
      raft.trk.progress.forEach((id, pr) -> progress.put(id, pr.toString()));
    }
    return new Status(raft.id, raft.term, raft.vote, raft.memoryStorage.committed, raft.memoryStorage.applied, raft.lead,
        raft.state, Map.copyOf(progress));
  }
}
