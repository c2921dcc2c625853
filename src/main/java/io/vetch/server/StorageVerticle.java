package io.vetch.server;

import io.vetch.server.backup.MemberState;
import io.vetch.server.backup.SnapshotRestore;
import io.vetch.server.base.DataDir;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.base.StorageFailure;
import io.vetch.server.membership.Membership;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.api.etcdserverpb.MemberListResponse;
import io.vetch.api.raftpb.ConfChange;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.EntryType;
import io.vetch.api.raftpb.Snapshot;
import io.vetch.api.raftpb.SnapshotMetadata;
import io.vetch.mvcc.KvStore;
import io.vetch.server.apply.Applier;
import io.vetch.server.metrics.ServerMetrics;
import io.vetch.server.bus.Addresses;
import io.vetch.server.bus.Applied;
import io.vetch.server.bus.Persisted;
import io.vetch.server.bus.ProposalResult;
import io.vetch.server.bus.StorageBatch;
import io.vetch.server.bus.StorageImage;
import io.vetch.server.bus.WatchEvents;
import io.vetch.server.bus.WatchInterest;
import io.vetch.transport.LocalDelivery;
import io.vetch.transport.PeerMap;
import io.vetch.snap.Snapshotter;
import io.vetch.wal.Wal;
import io.vetch.failpoint.StorageFault;
import io.vertx.core.VerticleBase;
import io.vertx.core.Future;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The storage worker: the only writer of the WAL (whose own thread runs a write handed to it) and of the MVCC store.
 * Deployed as a worker verticle with one instance, so batches are handled one at a time on a worker thread, never on
 * an event loop.
 *
 * <p>Per batch: buffer the new entries and hard state in the WAL; apply the committed entries (already durable) and
 * report {@link Applied}; then write the WAL with a single fsync (group commit) and report {@link Persisted}. A lone
 * member's own entries are applied in the same batch once durable; under a serial load the WAL write runs on the
 * WAL's thread ({@link Wal#startSync}) while this one applies them held ({@link Applier#hold}: what they change
 * stays unseen until the write is durable, and only then are they published and answered). Their events go out
 * ahead, marked not durable, for the event loops to frame their responses during the write; once it is durable,
 * the same events follow as durable before anything else. A batch's events are published ({@link WatchEvents})
 * only while someone on this member holds {@link WatchInterest}. Every
 * snapshot-count applied entries it syncs the store, saves a snapshot and purges covered WAL segments. Physical
 * compaction runs in bounded steps between batches so it never stalls writes.
 *
 * <p>Membership: committed conf changes update {@link Membership} (and the transport's peers); proposals among them
 * are answered with the resulting member list. Snapshots between members: on request it writes a store image for
 * the leader to send; a batch carrying a leader's snapshot installs the received image first (see
 * {@link #install}).
 *
 * <p>Storage failure: the first write, fsync, create or rename that fails (or a memory-mapped store write that
 * faults) makes this member's storage failed for good ({@link StorageFailure}, published in {@link MemberStatus}):
 * the failure is logged once naming the file, the operation and the OS error, the proposals waiting here fail at
 * once, the raft verticle is told (it hands leadership on and stops taking part), and from then on nothing is
 * written or fsynced: batches and store images are refused, and {@link #stop} abandons the WAL (cut back to its last
 * successful fsync) and the store without syncing them. The member is reopened from disk by {@link VetchServer}.
 */
final class StorageVerticle extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(StorageVerticle.class.getName());
  private static final int COMPACTION_STEP = 1000;
  /** How long a replaced store backend stays open for reads that started before the switch. */
  private static final long RETIRE_MS = 10_000;

  private final Addresses addresses;
  private final Wal wal;
  private final Snapshotter snapshotter;
  private final KvStore store;
  private final Applier applier;
  private final Membership membership;
  private final PendingProposals pending;
  private final SnapshotRestore.Stores stores;
  private final long memberId;
  private final DataDir dataDir;
  private long imageSeq;
  private final long snapshotCount;
  private long snapshotIndex;
  private long lastAppliedTerm;
  private final ArrayDeque<ProposalResult> awaitingCompaction = new ArrayDeque<>();
  private boolean compactionScheduled;
  private boolean failed;
  private Future<Void> defragmenting;
  private io.vertx.core.WorkerExecutor defragPool;
  private final ServerMetrics metrics;
  private final MemberStatus status;
  private final WatchInterest watchInterest;
  private final Runnable onFailure;
  private final StorageHandoff handoff;

  /** onFailure: run (on this verticle's thread) once, when the storage fails. */
  StorageVerticle(Addresses addresses, Wal wal, Snapshotter snapshotter, KvStore store, Applier applier,
      SnapshotRestore.Stores stores, PendingProposals pending, long memberId, DataDir dataDir, long snapshotCount,
      long snapshotIndex, ServerMetrics metrics, MemberStatus status, WatchInterest watchInterest,
      StorageHandoff handoff, Runnable onFailure) {
    this.handoff = handoff;
    this.status = status;
    this.watchInterest = watchInterest;
    this.onFailure = onFailure;
    this.addresses = addresses;
    this.metrics = metrics;
    this.pending = pending;
    this.membership = stores.membership();
    this.stores = stores;
    this.memberId = memberId;
    this.dataDir = dataDir;
    this.wal = wal;
    this.snapshotter = snapshotter;
    this.store = store;
    this.applier = applier;
    this.snapshotCount = snapshotCount;
    this.snapshotIndex = snapshotIndex;
  }

  @Override
  public Future<?> start() {
    defragPool = vertx.createSharedWorkerExecutor("vetch-defrag-" + Long.toHexString(memberId), 1);
    vertx.eventBus().<Void>localConsumer(addresses.storageImage(), m -> {
      if (failed) {
        m.fail(1, status.storageFailure().error().message());
        return;
      }
      try {
        m.reply(image());
      } catch (IOException | RuntimeException | InternalError e) {
        LOG.log(System.Logger.Level.ERROR, "writing a store image for a snapshot", e);
        if (StorageFault.in(e) != null || e instanceof InternalError) {
          fail(e);
        }
        m.fail(1, String.valueOf(e.getMessage()));
      }
    });
    vertx.eventBus().<Void>localConsumer(addresses.defragment(), m -> defragment().onComplete(ar -> {
      if (ar.succeeded()) {
        m.reply(null);
      } else {
        m.fail(1, String.valueOf(ar.cause().getMessage()));
      }
    }));
    return vertx.eventBus().<StorageBatch>localConsumer(addresses.storageBatch(), m -> handle(m.body())).completion();
  }

  /**
   * Defragments the store without stopping writes: the long copy runs on a worker thread while this verticle goes
   * on applying batches; only the start and the switch run here. A request while one runs joins it.
   */
  private Future<Void> defragment() {
    if (defragmenting != null) {
      return defragmenting;
    }
    if (failed) {
      return Future.failedFuture(status.storageFailure().error());
    }
    long before = store.dbSizeBytes();
    long started = System.nanoTime();
    io.vetch.mvcc.Defragmentation d;
    try {
      d = store.beginDefrag();
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "starting a defragmentation", e);
      return Future.failedFuture(e);
    }
    // On a pool of its own: this verticle's one thread goes on applying batches meanwhile.
    defragmenting = defragPool.executeBlocking(d::copy, false)
        .compose(copied -> {
          try {
            Closeable old = store.finishDefrag(d);
            vertx.setTimer(RETIRE_MS, t -> closeQuietly(old));
            LOG.log(System.Logger.Level.INFO, "defragmented the store in {0} ms: {1} records, db size {2} -> {3} bytes",
                (System.nanoTime() - started) / 1_000_000, copied, before, store.dbSizeBytes());
            return Future.<Void>succeededFuture();
          } catch (IOException | RuntimeException e) {
            return Future.<Void>failedFuture(e);
          }
        })
        .recover(e -> {
          LOG.log(System.Logger.Level.ERROR, "defragmentation failed; the store is unchanged", e);
          try {
            store.abortDefrag();
          } catch (IOException | RuntimeException e2) {
            LOG.log(System.Logger.Level.WARNING, "removing an abandoned defragmentation", e2);
          }
          return Future.failedFuture(e);
        })
        .andThen(ar -> defragmenting = null);
    return defragmenting;
  }

  /** A store image as of the last applied entry, for the leader to send to a member that needs a snapshot. */
  private StorageImage image() throws IOException {
    store.persistConsistentIndex();
    Path file = dataDir.outgoingImage(store.consistentIndex(), ++imageSeq);
    store.writeImage(file);
    return new StorageImage(file, store.consistentIndex(), stores.snapshotData().encode(), membership.confState());
  }

  /**
   * Installs a leader's snapshot, crash-safely: the image is kept where {@link DataDir#installingImage} says and the
   * snapshot and WAL marker made durable first, so a restart that finds the snapshot newer than the store finishes
   * the install (Bootstrap); then {@link SnapshotRestore#install} replaces the store and the rest of the state.
   */
  private void install(Snapshot snap, Path received) throws IOException {
    long index = snap.getMetadata().getIndex();
    if (received == null) {
      throw new IOException("snapshot at index " + index + " arrived without its store image");
    }
    Path kept = dataDir.installingImage(index);
    MemberState state = MemberState.of(snap, kept); // damaged snapshot data fails here, before anything is kept
    Files.move(received, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    snapshotter.save(snap);
    wal.saveSnapshot(index, snap.getMetadata().getTerm());
    wal.sync();
    long before = store.currentRevision();
    SnapshotRestore.install(state, store, stores, retired -> {
      vertx.eventBus().publish(addresses.watchEvents(), new WatchEvents(before, store.currentRevision(), null));
      vertx.setTimer(RETIRE_MS, t -> closeQuietly(retired));
    });
    vertx.eventBus().send(addresses.transport().peers(), new PeerMap(membership.peers(memberId)));
    snapshotIndex = index;
    lastAppliedTerm = snap.getMetadata().getTerm();
    wal.purge(index);
    snapshotter.purge(5);
    LOG.log(System.Logger.Level.INFO, "installed the leader''s snapshot at index {0}: revision {1}, {2} keys", index,
        store.currentRevision(), store.keyCount());
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "closing a replaced store backend", e);
    }
  }

  private void handle(StorageBatch batch) {
    handoff.arrived();
    try {
      persistAndApply(batch);
    } finally {
      handoff.handled(batch.entries().size(), !batch.entries().isEmpty() && !batch.applyOnPersist());
    }
  }

  private void persistAndApply(StorageBatch batch) {
    if (failed) {
      return; // nothing is written after a storage failure; VetchServer reopens the member
    }
    try {
      if (batch.snapshot() != null && batch.snapshot().getMetadata().getIndex() > store.consistentIndex()) {
        install(batch.snapshot(), batch.snapshotImage());
      }
      if (batch.hardState() != null || !batch.entries().isEmpty()) {
        wal.save(batch.hardState(), batch.entries());
      }
      // Committed the moment they are durable (a single voter's own entries): applied in this batch rather than
      // after a round trip through Raft, which delivers them again as committed entries, skipped then as applied.
      boolean applyOnPersist = batch.applyOnPersist() && !batch.entries().isEmpty();
      // A lone member's WAL write runs on the WAL's thread while this one applies the entries, under a serial load
      // (this thread then waits for it awake) and unless a snapshot (which writes the WAL too) falls due. (A
      // follower's committed entries alongside its WAL write measured no faster: three-member put-1c -2%.)
      long syncSpin = handoff.syncSpinNanos();
      boolean behind = syncSpin > 0 && applyOnPersist && batch.mustSync()
          && !snapshotDue(Math.max(lastIndex(batch.committedEntries()), lastIndex(batch.entries())));
      ApplyRun held = null;
      if (behind) {
        wal.startSync();
      }
      try {
        if (!batch.committedEntries().isEmpty()) {
          finish(apply(batch.committedEntries(), 0, new ApplyRun(), false)); // durable already
        }
        if (behind) {
          applier.hold(); // its plain key writes, unseen until the WAL write is done
          held = apply(batch.entries(), 0, new ApplyRun(), true);
          publishHeld(held);
        }
      } finally {
        if (behind) {
          metrics.walFsync(wal.awaitSync(syncSpin));
        }
      }
      if (!behind && batch.mustSync()) {
        long t = System.nanoTime();
        wal.sync();
        metrics.walFsync(System.nanoTime() - t);
      }
      if (held != null) {
        applier.release();
        publishEvents(held); // first: the event loops have its responses framed already
      }
      vertx.eventBus().send(addresses.persisted(), new Persisted(batch.seq(), null), LocalDelivery.of(Persisted.class));
      if (applyOnPersist) {
        ApplyRun run = held != null ? held : new ApplyRun();
        finish(apply(batch.entries(), run.handled, run, false)); // what the held run left, if anything
      }
    } catch (IOException | RuntimeException | InternalError e) {
      fail(e);
    }
  }

  /** The storage failed: record why (once), fail the proposals waiting here, write nothing more. */
  private void fail(Throwable e) {
    if (failed) {
      return;
    }
    failed = true;
    StorageFailure f = StorageFailure.of(e);
    if (status.storageFailed(f)) {
      LOG.log(System.Logger.Level.ERROR, f.logLine() + "; this member stops writing and serves only serializable "
          + "reads until its storage works again", e);
    }
    pending.failAll(status.storageFailure().error());
    vertx.eventBus().send(addresses.persisted(), new Persisted(0, e)); // the raft verticle stops taking part
    onFailure.run();
  }

  /** One batch's apply: what it answers and publishes once its entries are durable and visible ({@link #finish}). */
  private final class ApplyRun {
    final List<ProposalResult> results = new ArrayList<>();
    final List<Entry> confChanges = new ArrayList<>();
    final List<WatchEvents.Revision> revisions = new ArrayList<>();
    final long revBefore = store.currentRevision();
    boolean membershipChanged;
    long last;
    /** The entries of the list handled so far. */
    int handled;
    /** The revisions published so far. */
    int published;
  }

  /**
   * Publishes a held run's events ahead, not durable, for the event loops to frame while the run's WAL write is under
   * way ({@link WatchEvents#durable}).
   */
  private void publishHeld(ApplyRun run) {
    if (!run.revisions.isEmpty() && watchInterest.any()) {
      vertx.eventBus().publish(addresses.watchEvents(), new WatchEvents(run.revBefore,
          run.revisions.get(run.revisions.size() - 1).revision(), List.copyOf(run.revisions), false),
          LocalDelivery.of(WatchEvents.class));
    }
  }

  /** Publishes the run's events not published yet, once they are durable and visible in the store. */
  private void publishEvents(ApplyRun run) {
    int n = run.revisions.size();
    if (n > run.published && watchInterest.any()) {
      long from = run.published == 0 ? run.revBefore : run.revisions.get(run.published - 1).revision();
      vertx.eventBus().publish(addresses.watchEvents(), new WatchEvents(from, store.currentRevision(),
          List.copyOf(run.revisions.subList(run.published, n))), LocalDelivery.of(WatchEvents.class));
    }
    run.published = n;
  }

  /**
   * Applies entries from index from on into run. keysOnly: stops before the first entry whose apply changes more than
   * keys ({@link Applier#changesOnlyKeys}), for a run held until its entries are durable.
   */
  private ApplyRun apply(List<Entry> entries, int from, ApplyRun run, boolean keysOnly) {
    for (int i = from; i < entries.size(); i++) {
      Entry e = entries.get(i);
      if (e.getIndex() <= store.consistentIndex()) {
        // already in the store: replay after a restart is idempotent
      } else if (e.getType() != EntryType.EntryNormal) {
        if (keysOnly) {
          return run;
        }
        run.confChanges.add(e);
        run.membershipChanged |= applyConfChange(e, run.results);
        store.setConsistentIndex(e.getIndex());
      } else if (e.getData().isEmpty()) {
        store.setConsistentIndex(e.getIndex()); // a new leader's empty entry
      } else {
        InternalRaftRequest req = parse(e);
        if (keysOnly && (req == null || !Applier.changesOnlyKeys(req))) {
          return run;
        }
        applyNormal(e, req, run);
      }
      run.last = e.getIndex();
      lastAppliedTerm = e.getTerm();
      run.handled = i + 1;
    }
    return run;
  }

  /** Persists the run's consistent index, publishes its events, answers its proposals and reports it applied. */
  private void finish(ApplyRun run) throws IOException {
    store.persistConsistentIndex();
    // Events first, as etcd notifies its watchers inside the apply before the proposal's waiter hears: the event
    // loops send them before the replies (a writer that watches its own keys waits for its events, not its reply).
    publishEvents(run); // after the batch's revision is visible in the store
    pending.answer(run.results);
    if (run.membershipChanged) {
      vertx.eventBus().send(addresses.transport().peers(), new PeerMap(membership.peers(memberId)));
    }
    vertx.eventBus().send(addresses.applied(), new Applied(run.last, run.confChanges, maybeSnapshot(run.last)),
        LocalDelivery.of(Applied.class));
  }

  private static long lastIndex(List<Entry> entries) {
    return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).getIndex();
  }

  /** Applies a committed conf change to the membership; answers its proposal (cc.id) with the member list. */
  private boolean applyConfChange(Entry e, List<ProposalResult> results) {
    ConfChange cc;
    try {
      cc = ConfChange.parseFrom(e.getData());
    } catch (InvalidProtocolBufferException ex) {
      throw new IllegalStateException("unreadable conf change at index " + e.getIndex(), ex);
    }
    boolean changed = membership.applyConfChange(cc, e.getIndex());
    if (cc.getId() != 0) {
      results.add(new ProposalResult(cc.getId(),
          MemberListResponse.newBuilder().addAllMembers(membership.members()).build(), null));
    }
    return changed;
  }

  /** The entry's request, or null when it is unreadable. */
  private static InternalRaftRequest parse(Entry e) {
    try {
      return InternalRaftRequest.parseFrom(e.getData());
    } catch (InvalidProtocolBufferException ex) {
      return null;
    }
  }

  private void applyNormal(Entry e, InternalRaftRequest req, ApplyRun run) {
    if (req == null) {
      // Only this server writes entries; an unreadable one is skipped identically on every member.
      LOG.log(System.Logger.Level.ERROR, "skipping unreadable entry at index " + e.getIndex()
          + ": not an InternalRaftRequest");
      store.setConsistentIndex(e.getIndex());
      return;
    }
    Applier.Result r = applier.apply(req, e.getIndex(), e.getTerm());
    if (!r.events().isEmpty()) {
      run.revisions.add(new WatchEvents.Revision(r.events().get(0).getKv().getModRevision(), r.events()));
    }
    ProposalResult result = new ProposalResult(req.getHeader().getID(), r.v2() != null ? r.v2() : r.response(),
        r.error());
    if (req.hasCompaction() && r.error() == null) {
      scheduleCompaction(); // physical deletes run in steps between batches, whether or not the client waits
    }
    if (r.physicalCompaction()) {
      awaitingCompaction.add(result);
    } else {
      run.results.add(result);
    }
  }

  /** Runs physical compaction in bounded steps, yielding to queued batches between steps. */
  private void scheduleCompaction() {
    if (compactionScheduled) {
      return;
    }
    compactionScheduled = true;
    vertx.runOnContext(v -> {
      compactionScheduled = false;
      if (failed) {
        return;
      }
      boolean finished;
      try {
        finished = store.compactStep(COMPACTION_STEP);
      } catch (RuntimeException | InternalError e) {
        fail(e);
        return;
      }
      if (finished) {
        List<ProposalResult> done = new ArrayList<>(awaitingCompaction);
        awaitingCompaction.clear();
        pending.answer(done);
      } else {
        scheduleCompaction();
      }
    });
  }

  private boolean snapshotDue(long applied) {
    return applied - snapshotIndex >= snapshotCount;
  }

  /** Every snapshotCount applied entries: make the store durable, record a snapshot, purge the WAL it covers. */
  private long maybeSnapshot(long applied) throws IOException {
    if (!snapshotDue(applied)) {
      return 0;
    }
    long t = System.nanoTime();
    store.sync();
    metrics.backendCommit(System.nanoTime() - t);
    Snapshot snap = Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder()
        .setIndex(applied).setTerm(lastAppliedTerm).setConfState(membership.confState()))
        .setData(com.google.protobuf.ByteString.copyFrom(stores.snapshotData().encode())).build();
    snapshotter.save(snap);
    wal.saveSnapshot(applied, lastAppliedTerm);
    wal.sync();
    int purged = wal.purge(applied);
    snapshotter.purge(5);
    snapshotIndex = applied;
    LOG.log(System.Logger.Level.INFO, "saved snapshot at index {0}; purged {1} WAL segment(s)", applied, purged);
    return applied;
  }

  /**
   * After a storage failure, once the disk works again: cuts the WAL back to its last successful fsync
   * ({@link Wal#abandon}) on this verticle's thread. The member may be opened again only once this succeeded; a
   * failure leaves the WAL as it was, for a later call to try again.
   */
  Future<Void> cutBack() {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    context.runOnContext(v -> {
      try {
        wal.abandon();
        done.complete();
      } catch (IOException | RuntimeException e) {
        done.fail(e);
      }
    });
    return done.future();
  }

  private void abandonWal() throws IOException {
    try {
      wal.abandon();
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "the WAL could not be cut back to its last successful fsync; bytes whose "
          + "fsync failed may be read back from the page cache when it is opened again", e);
      wal.release();
    }
  }

  /**
   * Closes the WAL and the store; after a storage failure without writing or syncing them, the WAL cut back to its
   * last successful fsync ({@link Wal#abandon}).
   */
  @Override
  public Future<?> stop() {
    defragPool.close();
    try {
      if (failed) {
        abandonWal();
      } else {
        wal.close();
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "closing the WAL", e);
    }
    try {
      if (failed) {
        store.abandon();
      } else {
        store.close();
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "closing the store", e);
    }
    return Future.succeededFuture();
  }
}
