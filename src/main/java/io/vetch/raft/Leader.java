package io.vetch.raft;

import com.google.protobuf.ByteString;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.EntryType;
import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.MessageType;
import io.vetch.api.raftpb.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The leader's step function and replication (etcd's stepLeader, sendAppend, bcastHeartbeat, maybeCommit).
 * The leader's own {@link Progress} moves only in {@link #selfPersisted} (fsync in parallel, Raft thesis 10.2.1):
 * an entry commits once a quorum counting the leader only for its durable entries has it, and only entries of the
 * current term are committed by counting (earlier ones commit with them).
 */
final class Leader {
  private final Raft r;

  Leader(Raft r) {
    this.r = r;
  }

  void tickHeartbeat() {
    r.heartbeatElapsed++;
    r.electionElapsed++;
    if (r.electionElapsed >= r.electionTimeout) {
      r.electionElapsed = 0;
      if (r.checkQuorum) {
        checkQuorum();
      }
      if (r.state == StateType.LEADER) {
        r.leadTransferee = 0; // a transfer that did not finish within an election timeout is abandoned
      }
    }
    if (r.state == StateType.LEADER && r.heartbeatElapsed >= r.heartbeatTimeout) {
      r.heartbeatElapsed = 0;
      r.readOnly.takeUnsent();
      bcastHeartbeat(r.readOnly.lastPendingCtx());
    }
  }

  private void checkQuorum() {
    Progress self = r.trk.progress.get(r.id);
    if (self != null) {
      self.recentActive = true;
    }
    if (!r.trk.quorumActive()) {
      r.becomeFollower(r.term, 0);
      return;
    }
    r.trk.progress.forEach((id, pr) -> pr.recentActive = id == r.id);
  }

  void appendEntries(List<Entry.Builder> ents) {
    long li = r.memoryStorage.lastIndex();
    List<Entry> out = new ArrayList<>(ents.size());
    for (Entry.Builder e : ents) {
      out.add(e.setTerm(r.term).setIndex(++li).build());
    }
    r.memoryStorage.append(out);
  }

  void step(Message m) throws ProposalDroppedException {
    switch (m.getType()) {
      case MsgBeat -> bcastHeartbeat(r.readOnly.lastPendingCtx());
      case MsgCheckQuorum -> checkQuorum();
      case MsgProp -> propose(m);
      case MsgReadIndex -> {
        if (!committedEntryInCurrentTerm()) {
          r.pendingReadIndexMessages.add(m); // answered once this term's first entry commits
        } else {
          readIndex(m);
        }
      }
      default -> stepFromPeer(m);
    }
  }

  private void propose(Message m) throws ProposalDroppedException {
    if (!r.trk.progress.containsKey(r.id)) {
      throw new ProposalDroppedException("leader was removed from the cluster");
    }
    if (r.leadTransferee != 0) {
      throw new ProposalDroppedException("leadership transfer in progress");
    }
    List<Entry.Builder> ents = new ArrayList<>();
    long index = r.memoryStorage.lastIndex();
    for (Entry e : m.getEntriesList()) {
      index++;
      if (e.getType() == EntryType.EntryConfChange) {
        if (r.pendingConfIndex > r.memoryStorage.applied) {
          throw new ProposalDroppedException("another conf change is pending");
        }
        r.pendingConfIndex = index;
      }
      ents.add(e.toBuilder());
    }
    appendEntries(ents);
    r.appendsOwed = true; // the proposals of one event go out together (see flushAppends)
  }

  private void stepFromPeer(Message m) {
    Progress pr = r.trk.progress.get(m.getFrom());
    if (pr == null) {
      return;
    }
    switch (m.getType()) {
      case MsgAppResp -> handleAppendResponse(m, pr);
      case MsgHeartbeatResp -> handleHeartbeatResponse(m, pr);
      case MsgSnapStatus -> {
        if (pr.state == Progress.State.SNAPSHOT) {
          if (m.getReject()) {
            pr.pendingSnapshot = 0;
          }
          pr.becomeProbe();
          pr.probeSent = true; // wait for a heartbeat response before probing again
        }
      }
      case MsgUnreachable -> {
        if (pr.state == Progress.State.REPLICATE) {
          pr.becomeProbe();
        }
      }
      case MsgTransferLeader -> transferLeader(m.getFrom(), pr);
      default -> { }
    }
  }

  private void handleAppendResponse(Message m, Progress pr) {
    pr.recentActive = true;
    if (m.getReject()) {
      long nextProbe = m.getRejectHint();
      if (m.getLogTerm() > 0) {
        nextProbe = r.memoryStorage.findConflictByTerm(m.getRejectHint(), m.getLogTerm());
      }
      if (pr.maybeDecrTo(m.getIndex(), nextProbe)) {
        if (pr.state == Progress.State.REPLICATE) {
          pr.becomeProbe();
        }
        sendAppend(m.getFrom(), true);
      }
      return;
    }
    boolean oldPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.getIndex())) {
      return;
    }
    switch (pr.state) {
      case PROBE -> pr.becomeReplicate();
      case SNAPSHOT -> {
        if (pr.match >= pr.pendingSnapshot) {
          pr.becomeProbe();
          pr.becomeReplicate();
        }
      }
      case REPLICATE -> pr.inflights.freeLE(m.getIndex());
    }
    if (maybeCommit()) {
      bcastAppend();
    } else if (oldPaused) {
      sendAppend(m.getFrom(), true);
    }
    while (sendAppend(m.getFrom(), false)) {
      // keep the window full
    }
    if (m.getFrom() == r.leadTransferee && pr.match == r.memoryStorage.lastIndex()) {
      sendTimeoutNow(m.getFrom());
    }
  }

  private void handleHeartbeatResponse(Message m, Progress pr) {
    pr.recentActive = true;
    pr.probeSent = false;
    if (pr.state == Progress.State.REPLICATE && pr.inflights.full()) {
      pr.inflights.freeFirstOne();
    }
    if (pr.match < r.memoryStorage.lastIndex()) {
      sendAppend(m.getFrom(), true);
    }
    if (m.getContext().isEmpty()) {
      return;
    }
    Map<Long, Boolean> acks = r.readOnly.recvAck(m.getFrom(), m.getContext());
    if (acks == null || r.trk.voteResult(acks) != ProgressTracker.VoteResult.WON) {
      return;
    }
    for (ReadOnly.Request req : r.readOnly.advance(m.getContext())) {
      respondToReadIndex(req.req(), req.index());
    }
  }

  private void transferLeader(long transferee, Progress pr) {
    if (pr.isLearner) {
      return;
    }
    if (r.leadTransferee != 0) {
      if (r.leadTransferee == transferee) {
        return;
      }
      r.leadTransferee = 0;
    }
    if (transferee == r.id) {
      return;
    }
    r.electionElapsed = 0; // the transfer must finish within one election timeout
    r.leadTransferee = transferee;
    if (pr.match == r.memoryStorage.lastIndex()) {
      sendTimeoutNow(transferee);
    } else {
      sendAppend(transferee, true);
    }
  }

  private void sendTimeoutNow(long to) {
    r.send(Message.newBuilder().setType(MessageType.MsgTimeoutNow).setTo(to));
  }

  // ---- read index

  boolean committedEntryInCurrentTerm() {
    return r.memoryStorage.term(r.memoryStorage.committed) == r.term;
  }

  private void readIndex(Message m) {
    if (r.trk.isSingleton()) {
      respondToReadIndex(m, r.memoryStorage.committed);
      return;
    }
    r.readOnly.addRequest(r.memoryStorage.committed, m);
    r.readOnly.recvAck(r.id, m.getEntries(0).getData());
  }

  private void respondToReadIndex(Message req, long index) {
    if (req.getFrom() == 0 || req.getFrom() == r.id) {
      r.readStates.add(new ReadState(index, req.getEntries(0).getData().toByteArray()));
    } else {
      r.send(Message.newBuilder().setType(MessageType.MsgReadIndexResp).setTo(req.getFrom()).setIndex(index)
          .addAllEntries(req.getEntriesList()));
    }
  }

  /**
   * Sends the entries proposed since the last Ready to every follower not paused, in messages of up to
   * maxSizePerMsg until its window is full (etcd sends them at each proposal; here the proposals stepped between two
   * Readys share messages). Entries a follower was sent meanwhile (an acknowledgement's window refill) are not sent
   * twice; a paused follower gets them when it resumes, as before.
   */
  void flushAppends() {
    if (!r.appendsOwed) {
      return;
    }
    r.appendsOwed = false;
    for (long id : r.trk.progress.keySet()) {
      while (id != r.id && sendAppend(id, false)) {
        // messages of up to maxSizePerMsg until the follower's window is full
      }
    }
  }

  /** Sends one heartbeat round for the read requests that arrived since the last round (the batch). */
  void flushReadIndex() {
    ByteString ctx = r.readOnly.takeUnsent();
    if (ctx != null) {
      bcastHeartbeat(ctx);
    }
  }

  // ---- replication

  /** Sends entries (or a snapshot) to a member unless paused; returns whether a message was sent. */
  boolean sendAppend(long to, boolean sendIfEmpty) {
    return sendAppend(to, sendIfEmpty, false);
  }

  /**
   * As {@link #sendAppend(long, boolean)}; broadcast marks the leader's own broadcasts (a proposal, a commit
   * advance), whose empty MsgApp to a replicating follower wants no answer: that follower answers every MsgApp with
   * entries on its own, and an answer lost on the way is recovered by the heartbeat response's resend, which wants
   * one.
   */
  private boolean sendAppend(long to, boolean sendIfEmpty, boolean broadcast) {
    Progress pr = r.trk.progress.get(to);
    if (pr == null || pr.isPaused()) {
      return false;
    }
    long prevIndex = pr.next - 1;
    long prevTerm = r.memoryStorage.term(prevIndex);
    boolean compacted = prevTerm < 0 || pr.next < r.memoryStorage.firstIndex();
    List<Entry> ents = compacted ? List.of() : r.memoryStorage.entries(pr.next, r.maxMsgSize);
    if (!compacted && ents.isEmpty() && !sendIfEmpty) {
      return false;
    }
    if (compacted) {
      if (!pr.recentActive) {
        return false;
      }
      Snapshot snap = r.memoryStorage.snapshot();
      if (snap.getMetadata().getIndex() < r.memoryStorage.firstIndex() - 1) {
        return false; // storage compacted past its snapshot (a driver bug): nothing usable to send, retry later
      }
      pr.becomeSnapshot(snap.getMetadata().getIndex());
      r.send(Message.newBuilder().setType(MessageType.MsgSnap).setTo(to).setSnapshot(snap));
      return true;
    }
    if (!ents.isEmpty()) {
      long last = ents.get(ents.size() - 1).getIndex();
      if (pr.state == Progress.State.REPLICATE) {
        pr.next = last + 1;
        pr.inflights.add(last);
      } else if (pr.state == Progress.State.PROBE) {
        pr.probeSent = true;
      }
    }
    Message.Builder app = Message.newBuilder().setType(MessageType.MsgApp).setTo(to).setIndex(prevIndex)
        .setLogTerm(prevTerm).addAllEntries(ents).setCommit(r.memoryStorage.committed);
    if (broadcast && ents.isEmpty() && pr.state == Progress.State.REPLICATE) {
      app.setNoReply(true);
    }
    r.send(app);
    return true;
  }

  void bcastAppend() {
    for (long id : r.trk.progress.keySet()) {
      if (id != r.id) {
        sendAppend(id, true, true);
      }
    }
  }

  private void bcastHeartbeat(ByteString ctx) {
    r.trk.progress.forEach((id, pr) -> {
      if (id != r.id) {
        Message.Builder m = Message.newBuilder().setType(MessageType.MsgHeartbeat).setTo(id)
            .setCommit(Math.min(pr.match, r.memoryStorage.committed));
        if (ctx != null) {
          m.setContext(ctx);
        }
        r.send(m);
      }
    });
  }

  /** Advances the commit index to what a quorum has durably; true if it moved. */
  boolean maybeCommit() {
    if (!r.memoryStorage.maybeCommit(r.trk.committed(), r.term)) {
      return false;
    }
    if (!r.pendingReadIndexMessages.isEmpty() && committedEntryInCurrentTerm()) {
      List<Message> pending = new ArrayList<>(r.pendingReadIndexMessages);
      r.pendingReadIndexMessages.clear();
      pending.forEach(this::readIndex);
    }
    return true;
  }

  /** The leader's own entries up to index are durable (called from advance). */
  void selfPersisted(long index) {
    Progress self = r.trk.progress.get(r.id);
    if (self != null && self.maybeUpdate(index) && maybeCommit()) {
      bcastAppend();
    }
  }

  void afterConfChange() {
    if (maybeCommit()) {
      bcastAppend();
    } else {
      for (long id : r.trk.progress.keySet()) {
        if (id != r.id) {
          sendAppend(id, false);
        }
      }
    }
    if (r.leadTransferee != 0 && !r.trk.voters.contains(r.leadTransferee)) {
      r.leadTransferee = 0;
    }
  }
}
