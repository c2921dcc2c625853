package io.vetch.server;

import io.vetch.api.raftpb.ConfChange;
import io.vetch.api.raftpb.ConfState;
import io.vetch.api.raftpb.MessageType;
import io.vetch.raft.MemoryStorage;
import io.vetch.raft.ProposalDroppedException;
import io.vetch.raft.RawNode;
import io.vetch.raft.ReadState;
import io.vetch.raft.Ready;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.bus.Addresses;
import io.vetch.server.bus.Applied;
import io.vetch.server.bus.FailureCodes;
import io.vetch.server.bus.Persisted;
import io.vetch.server.bus.Proposal;
import io.vetch.server.bus.Proposals;
import io.vetch.server.bus.ProposalResult;
import io.vetch.server.bus.ProposalResults;
import io.vetch.server.bus.ReadIndexRequest;
import io.vetch.server.bus.StorageBatch;
import io.vetch.server.lease.LeaseKeeper;
import io.vetch.server.v2stats.ServerStats;
import io.vetch.transport.ForwardedProposal;
import io.vetch.transport.InboundSnapshot;
import io.vetch.transport.LocalDelivery;
import io.vetch.transport.RaftMessages;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Drives the pure Raft core on one event-loop context: timers call tick, client proposals, peer messages and
 * read-index requests arrive on the event bus. The verticle is the adapter between the event bus and plain classes
 * that each keep one concern: {@link ReadyLoop} (each Ready to the storage worker, one in flight at a time, and the
 * in-memory log), {@link ReadIndexQueue} (linearizable reads), {@link LeaderTransfers} (MoveLeader), {@link
 * AttributesPublisher} (publishing this member), {@link AppliedConfig} (conf changes and log compaction once
 * applied), {@link io.vetch.server.lease.LeaseKeeper} (the leader's lease duties) and {@link PendingProposals}
 * (proposals waiting for their results). The storage worker answers each proposal as it applies its entry; this
 * verticle fails the ones still waiting on a leader change or stop.
 *
 * <p>Snapshots: the core's MsgSnap carries only metadata. The leader replaces it by a fresh store image from the
 * storage worker (with the membership and ConfState at the image's index) and has the transport stream it; the
 * follower's transport stores the image, and the Ready that installs the snapshot hands it to the storage worker.
 *
 * <p>Storage failure (a {@link Persisted} with an error): the member stops taking part at once. A leader first hands
 * leadership to the voter with the longest matched log (a MsgTimeoutNow, as a finished MoveLeader sends, so it
 * campaigns without waiting for an election timeout); then no Ready is taken, no tick runs and peer messages are
 * dropped, so this member neither appends, acknowledges, votes nor campaigns, and the others go on as a cluster
 * without it. Waiting proposals and reads, and every new one, fail with the storage failure's error.
 */
final class RaftVerticle extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(RaftVerticle.class.getName());
  private final Addresses addresses;
  private final RawNode node;
  private final MemoryStorage memoryStorage;
  private final long tickMs;
  private final boolean singleVoter;
  private final AttributesPublisher publisher;
  /** Ticks a leader transfer may take before MoveLeader fails (etcd: twice the election timeout). */
  private static final int TRANSFER_TIMEOUT_TICKS = 40;

  private final PendingProposals proposals;
  private final ReadIndexQueue<ReadIndexRequest> reads;
  /** Ticks (heartbeat intervals) a read-index round may take before its reads are asked again (etcd: 500 ms). */
  private static final int READ_RETRY_TICKS = 5;
  private final AppliedConfig config;
  private final ReadyLoop<ReadIndexRequest> loop;
  private long timer;
  private long knownLeader;
  private final LeaderTransfers<Message<Long>> transfers = new LeaderTransfers<>(TRANSFER_TIMEOUT_TICKS,
      m -> m.reply(0L), m -> m.fail(FailureCodes.TRANSFER_TIMEOUT, "leader transfer took too long"));
  private SnapshotShipper snapshots;
  private final LeaseKeeper leases;
  private final Runnable onRemoved;
  private final StorageHandoff handoff;
  private final MemberStatus status;
  /** Set once the storage failed: this member no longer takes part in Raft. */
  private boolean storageFailed;
  private final V2Sync v2Sync;
  private final ServerStats v2Stats;

  /**
   * applied: the store's consistent index at start; catchUpEntries: log entries kept behind a snapshot; v2Sync: the
   * leader's v2 SYNC proposals; v2Stats: the v2 self statistics (appends sent and received, leadership).
   */
  RaftVerticle(Addresses addresses, RawNode node, MemoryStorage memoryStorage, MemberStatus status, long tickMs,
      long applied, AttributesPublisher publisher, long catchUpEntries, PendingProposals proposals,
      LeaseKeeper leases, V2Sync v2Sync, ServerStats v2Stats, StorageHandoff handoff, Runnable onRemoved) {
    this.onRemoved = onRemoved;
    this.handoff = handoff;
    this.status = status;
    this.v2Sync = v2Sync;
    this.v2Stats = v2Stats;
    this.proposals = proposals;
    this.leases = leases;
    this.publisher = publisher;
    this.singleVoter = node.confState().getVotersList().equals(List.of(node.id()));
    this.addresses = addresses;
    this.node = node;
    this.reads = new ReadIndexQueue<>(node.id(), READ_RETRY_TICKS, node::readIndex,
        r -> refuse(r.id(), r.replyTo(), EtcdErrors.noLeader()));
    this.memoryStorage = memoryStorage;
    this.tickMs = tickMs;
    this.config = new AppliedConfig(node, memoryStorage, catchUpEntries);
    ReadyLoop.Sink<ReadIndexRequest> sink = new ReadyLoop.Sink<>() {
      @Override
      public void persist(StorageBatch batch) {
        handoff.sending(batch.entries().size() + batch.committedEntries().size());
        vertx.eventBus().send(addresses.storageBatch(), batch, LocalDelivery.of(StorageBatch.class));
        handoff.sent();
      }

      @Override
      public void send(List<io.vetch.api.raftpb.Message> messages) {
        RaftVerticle.this.send(messages);
      }

      @Override
      public void leaderChanged(long lead) {
        onLeaderChange(lead);
      }

      @Override
      public void later(Runnable task, long micros) {
        eventLoop().schedule(() -> context.runOnContext(v -> task.run()), micros, TimeUnit.MICROSECONDS);
      }

      @Override
      public void serve(long index, List<ReadIndexRequest> waiting) {
        Long term = node.term();
        ProposalResults.Batch batch = new ProposalResults.Batch(vertx.eventBus());
        waiting.forEach(r -> batch.add(r.replyTo(), new ProposalResult(r.id(), term, null)));
        batch.send();
      }

      @Override
      public Path snapshotImage(long index) {
        return snapshots.take(index);
      }

      @Override
      public void snapshotInstalled(long index) {
        snapshots.discardUpTo(index);
      }
    };
    this.loop = new ReadyLoop<>(node, memoryStorage, status, config, reads, applied, ReadyLoop.BATCH_WAIT_MICROS,
        ReadyLoop.SINGLE_VOTER_BATCH_WAIT_MICROS, sink);
  }

  /** Steps one proposal of an outbox (made once: see KvStreams.Serving on lambdas in C1's code). */
  private final Consumer<Proposal> stepProposal = p -> {
    try {
      onPropose(p);
    } catch (RuntimeException e) { // one bad proposal times out alone; the rest of the outbox goes on
      LOG.log(System.Logger.Level.ERROR, "proposal " + Long.toHexString(p.id()) + " not stepped", e);
    }
  };

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    bus.<Proposals>localConsumer(addresses.propose(), m -> {
      m.body().drain(stepProposal);
      afterEvent();
    });
    bus.<ReadIndexRequest>localConsumer(addresses.readIndex(), m -> onReadIndex(m.body()));
    bus.<Long>localConsumer(addresses.moveLeader(), this::onMoveLeader);
    bus.<Applied>localConsumer(addresses.applied(), m -> onApplied(m.body()));
    bus.<Persisted>localConsumer(addresses.persisted(), m -> onPersisted(m.body()));
    bus.<io.vetch.api.raftpb.Message>localConsumer(addresses.transport().received(), m -> {
      if (storageFailed) {
        return; // no append, no acknowledgement, no vote
      }
      if (m.body().getType() == MessageType.MsgApp) {
        v2Stats.recvAppendReq(m.body().getFrom(), m.body().getSerializedSize());
      }
      try {
        node.step(m.body());
      } catch (IllegalArgumentException e) {
        LOG.log(System.Logger.Level.WARNING, "ignoring a peer message Raft refuses: {0}", e.getMessage());
      }
      afterEvent();
    });
    bus.<ForwardedProposal>localConsumer(addresses.transport().proposed(), m -> onForwarded(m.body()));
    snapshots = new SnapshotShipper(vertx, addresses, memoryStorage, (to, failed) -> {
      if (!loop.stopped()) {
        node.reportSnapshot(to, failed);
        afterEvent();
      }
    });
    bus.<InboundSnapshot>localConsumer(addresses.transport().receivedSnapshot(), m -> {
      if (storageFailed) {
        return;
      }
      snapshots.received(m.body()); // kept for the Ready that installs it; then Raft sees the message
      try {
        node.step(m.body().message());
      } catch (IllegalArgumentException e) {
        LOG.log(System.Logger.Level.WARNING, "ignoring a snapshot Raft refuses: {0}", e.getMessage());
      }
      afterEvent();
    });
    bus.<Long>localConsumer(addresses.transport().keepAliveReceived(), m -> onKeepAlive(m.body()));
    bus.<Long>localConsumer(addresses.keepAlive(), m -> onKeepAlive(m.body()));
    timer = vertx.setPeriodic(tickMs, id -> {
      node.tick();
      reads.tick();
      transfers.tick();
      publish();
      syncV2();
      leases.tick();
      afterEvent();
    });
    if (singleVoter) {
      node.campaign(); // a single voter needs no election timeout
    }
    afterEvent();
    return Future.succeededFuture();
  }

  /** The event loop this verticle runs on, once deployed. */
  EventLoop eventLoop() {
    return ((ContextInternal) context).nettyEventLoop();
  }

  @Override
  public Future<?> stop() {
    loop.stop();
    vertx.cancelTimer(timer);
    proposals.failAll(EtcdErrors.stopped());
    return Future.succeededFuture();
  }

  private void onPropose(Proposal p) {
    if (storageFailed) {
      refuse(p.id(), p.replyTo(), status.storageFailure().error());
      return;
    }
    if (loop.stopped()) {
      refuse(p.id(), p.replyTo(), EtcdErrors.stopped());
      return;
    }
    long leader = node.leader();
    if (leader == 0) {
      refuse(p.id(), p.replyTo(), EtcdErrors.noLeader());
      return;
    }
    if (leader == node.id() && p.confChange() && promotesLaggingLearner(p.data())) {
      refuse(p.id(), p.replyTo(), EtcdErrors.learnerNotReady());
      return;
    }
    try {
      if (leader == node.id()) {
        propose(p.data(), p.confChange());
      } else {
        // The leader appends it; this member answers when it applies the entry carrying this request id.
        vertx.eventBus().send(addresses.transport().forward(), new ForwardedProposal(leader, p.id(), p.data(),
            p.confChange()), LocalDelivery.of(ForwardedProposal.class));
      }
      proposals.add(p);
    } catch (ProposalDroppedException e) {
      // A conf change is refused while another is pending; etcd's client would wait and time out.
      refuse(p.id(), p.replyTo(), p.confChange() ? EtcdErrors.timeout() : EtcdErrors.noLeader());
    }
  }

  private void propose(byte[] data, boolean confChange) throws ProposalDroppedException {
    if (!confChange) {
      node.propose(data);
      return;
    }
    ConfChange cc;
    try {
      cc = ConfChange.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      throw new ProposalDroppedException("unreadable conf change");
    }
    node.proposeConfChange(cc);
  }

  /**
   * etcd's isLearnerReady, on the leader: a conf change promoting a learner that has less than 90% of the leader's
   * log is refused.
   */
  private boolean promotesLaggingLearner(byte[] data) {
    try {
      ConfChange cc = ConfChange.parseFrom(data);
      return cc.getType() == io.vetch.api.raftpb.ConfChangeType.ConfChangeAddNode
          && node.confState().getLearnersList().contains(cc.getNodeId())
          && node.matchIndex(cc.getNodeId()) < 0.9 * node.matchIndex(node.id());
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  /** A follower's client write: append it if this member still leads; otherwise its client times out. */
  private void onForwarded(ForwardedProposal p) {
    if (storageFailed || !node.isLeader()) {
      return;
    }
    if (p.confChange() && promotesLaggingLearner(p.data())) {
      LOG.log(System.Logger.Level.WARNING, "refusing a forwarded promotion of a learner that is not in sync");
      return;
    }
    try {
      propose(p.data(), p.confChange());
    } catch (ProposalDroppedException e) {
      LOG.log(System.Logger.Level.WARNING, "dropped forwarded proposal {0}: {1}", Long.toHexString(p.id()),
          e.getMessage());
    }
    afterEvent();
  }

  /**
   * Maintenance.MoveLeader: on the leader only, to a voter; answered (with the reply code 0 as the body) once the
   * transferee leads, or failed with etcd's error after an election timeout's worth of ticks times two.
   */
  private void onMoveLeader(Message<Long> m) {
    long target = m.body();
    if (storageFailed) {
      m.fail(FailureCodes.STORAGE_FAILED, status.storageFailure().error().message());
      return;
    }
    if (!node.isLeader()) {
      m.fail(FailureCodes.NOT_LEADER, "not leader");
      return;
    }
    if (!node.confState().getVotersList().contains(target)) {
      m.fail(FailureCodes.BAD_TRANSFEREE, "bad leader transferee");
      return;
    }
    if (target == node.id()) {
      m.reply(0L);
      return;
    }
    node.transferLeader(target);
    transfers.await(target, m);
    afterEvent();
  }

  /** Reads queue up while a read-index round is out; the next round confirms all of them at once. */
  private void onReadIndex(ReadIndexRequest r) {
    if (storageFailed) {
      refuse(r.id(), r.replyTo(), status.storageFailure().error());
      return;
    }
    reads.add(r);
    afterEvent();
  }

  /** Answers a proposal or read index that was refused before Raft saw it. */
  private void refuse(long id, String replyTo, io.vertx.grpc.server.StatusException error) {
    ProposalResults.refuse(vertx.eventBus(), replyTo, id, error);
  }

  private void onKeepAlive(long id) {
    if (!storageFailed && leases.keepAlive(id)) {
      afterEvent();
    }
  }

  /** Like etcd, a member publishes its name and client URLs through Raft once a leader exists, until applied. */
  private void publish() {
    byte[] data = publisher.tick(node.leader());
    if (data == null) {
      return;
    }
    try {
      if (node.isLeader()) {
        node.propose(data);
      } else {
        vertx.eventBus().send(addresses.transport().forward(), new ForwardedProposal(node.leader(), 0, data, false));
      }
    } catch (ProposalDroppedException e) {
      LOG.log(System.Logger.Level.DEBUG, "publishing attributes dropped; will retry");
    }
  }

  /** etcd's v2 SYNC, on the leader (see {@link V2Sync}); a dropped one is simply proposed again later. */
  private void syncV2() {
    byte[] sync = v2Sync.tick(node.isLeader());
    if (sync != null) {
      try {
        node.propose(sync);
      } catch (ProposalDroppedException e) {
        LOG.log(System.Logger.Level.DEBUG, "v2 SYNC dropped; the next one follows");
      }
    }
  }

  /**
   * Requests waiting on a leader that is gone fail with etcd's "leader changed" (their entries may still commit;
   * the client cannot know, as with etcd).
   */
  private void onLeaderChange(long lead) {
    if (knownLeader != 0 && lead != knownLeader && !proposals.isEmpty()) {
      proposals.failAll(EtcdErrors.leaderChanged());
    }
    if (lead == node.id() && knownLeader != lead) {
      leases.promoted();
      v2Stats.becomeLeader();
    }
    if (lead != 0) {
      knownLeader = lead;
      transfers.leaderIs(lead);
    }
  }

  private void onPersisted(Persisted p) {
    if (p.error() != null) {
      storageFailed();
      return;
    }
    loop.persisted();
  }

  /** See the class comment: hand leadership on, then stop taking part; everything waiting fails at once. */
  private void storageFailed() {
    if (storageFailed) {
      return;
    }
    storageFailed = true;
    loop.stop();
    vertx.cancelTimer(timer);
    if (node.isLeader()) {
      handOffLeadership();
    }
    status.update(node.term(), 0); // it no longer follows anyone's lead: no stale leader in Status, require-leader
    var error = status.storageFailure().error();
    proposals.failAll(error);
    reads.failAll(r -> refuse(r.id(), r.replyTo(), error));
  }

  /**
   * The leader's storage failed: the voter with the longest matched log gets a MsgTimeoutNow and campaigns at once
   * (Raft's election rule keeps a voter without every committed entry from winning); with no other voter there is
   * nobody to hand over to and the member just stops.
   */
  private void handOffLeadership() {
    long best = 0;
    long bestMatch = -1;
    for (long id : node.confState().getVotersList()) {
      if (id != node.id() && node.matchIndex(id) > bestMatch) {
        best = id;
        bestMatch = node.matchIndex(id);
      }
    }
    if (best == 0) {
      LOG.log(System.Logger.Level.ERROR, "the leader's storage failed and there is no other voter to lead");
      return;
    }
    LOG.log(System.Logger.Level.WARNING, "the leader''s storage failed: handing leadership to {0} (matched index {1})",
        Long.toHexString(best), bestMatch);
    vertx.eventBus().send(addresses.transport().send(), new RaftMessages(List.of(io.vetch.api.raftpb.Message
        .newBuilder().setType(MessageType.MsgTimeoutNow).setFrom(node.id()).setTo(best).setTerm(node.term())
        .build())));
  }

  private void onApplied(Applied a) {
    if (config.apply(a.confChanges())) {
      // as etcd's, a removed member stops; its data stays as it is
      LOG.log(System.Logger.Level.WARNING, "this member ({0}) has been permanently removed from the cluster",
          Long.toHexString(node.id()));
      stop();
      onRemoved.run();
    }
    if (a.snapshotIndex() > 0) {
      config.snapshotted(a.snapshotIndex());
    }
    loop.appliedTo(a.appliedIndex());
    afterEvent();
  }

  private void send(List<io.vetch.api.raftpb.Message> messages) {
    List<io.vetch.api.raftpb.Message> plain = messages;
    for (io.vetch.api.raftpb.Message m : messages) {
      if (m.getType() == MessageType.MsgApp) {
        v2Stats.sendAppendReq(m.getSerializedSize());
      }
      if (m.getType() == MessageType.MsgSnap) {
        plain = messages.stream().filter(x -> x.getType() != MessageType.MsgSnap).toList();
        snapshots.send(m);
      }
    }
    if (!plain.isEmpty()) {
      vertx.eventBus().send(addresses.transport().send(), new RaftMessages(plain), LocalDelivery.of(RaftMessages.class));
    }
  }

  private void afterEvent() {
    loop.afterEvent();
  }
}
