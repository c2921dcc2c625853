package io.vetch.server;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.EntryType;
import io.vetch.api.raftpb.Snapshot;
import io.vetch.api.raftpb.SnapshotMetadata;
import io.vetch.mvcc.KvStore;
import io.vetch.server.apply.Applier;
import io.vetch.server.bus.Addresses;
import io.vetch.server.bus.Applied;
import io.vetch.server.bus.Persisted;
import io.vetch.server.bus.ProposalResult;
import io.vetch.server.bus.StorageBatch;
import io.vetch.snap.Snapshotter;
import io.vetch.wal.Wal;
import io.vertx.core.VerticleBase;
import io.vertx.core.Future;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The storage worker: the only writer of the WAL and of the MVCC store. Deployed as a worker verticle with one
 * instance, so batches are handled one at a time on a worker thread, never on an event loop.
 *
 * <p>Per batch: apply the committed entries (already durable) and report {@link Applied}; then append the new
 * entries and hard state to the WAL with a single fsync (group commit) and report {@link Persisted}. Every
 * snapshot-count applied entries it syncs the store, saves a snapshot and purges covered WAL segments. Physical
 * compaction runs in bounded steps between batches so it never stalls writes.
 */
final class StorageVerticle extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(StorageVerticle.class.getName());
  private static final int COMPACTION_STEP = 1000;

  private final Addresses addresses;
  private final Wal wal;
  private final Snapshotter snapshotter;
  private final KvStore store;
  private final Applier applier;
  private final long snapshotCount;
  private long snapshotIndex;
  private long lastAppliedTerm;
  private final ArrayDeque<ProposalResult> awaitingCompaction = new ArrayDeque<>();
  private boolean compactionScheduled;
  private boolean failed;

  StorageVerticle(Addresses addresses, Wal wal, Snapshotter snapshotter, KvStore store, Applier applier,
      long snapshotCount, long snapshotIndex) {
    this.addresses = addresses;
    this.wal = wal;
    this.snapshotter = snapshotter;
    this.store = store;
    this.applier = applier;
    this.snapshotCount = snapshotCount;
    this.snapshotIndex = snapshotIndex;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<StorageBatch>localConsumer(addresses.storageBatch(), m -> handle(m.body())).completion();
  }

  private void handle(StorageBatch batch) {
    if (failed) {
      return; // a storage failure is fatal; VetchServer stops the member
    }
    try {
      if (batch.snapshot() != null && batch.snapshot().getMetadata().getIndex() > store.consistentIndex()) {
        // Installing a leader's snapshot needs its MVCC image, which is not shipped yet: stop rather than diverge.
        throw new IOException("cannot install snapshot at index " + batch.snapshot().getMetadata().getIndex()
            + " without an MVCC image; this member is too far behind the leader's log");
      }
      if (!batch.committedEntries().isEmpty()) {
        vertx.eventBus().send(addresses.applied(), apply(batch));
      }
      if (batch.hardState() != null || !batch.entries().isEmpty()) {
        wal.save(batch.hardState(), batch.entries());
      }
      if (batch.mustSync()) {
        wal.sync();
      }
      vertx.eventBus().send(addresses.persisted(), new Persisted(batch.seq(), null));
    } catch (IOException | RuntimeException e) {
      failed = true;
      LOG.log(System.Logger.Level.ERROR, "storage failure; this member stops accepting writes", e);
      vertx.eventBus().send(addresses.persisted(), new Persisted(batch.seq(), e));
    }
  }

  private Applied apply(StorageBatch batch) throws IOException {
    List<ProposalResult> results = new ArrayList<>();
    List<Entry> confChanges = new ArrayList<>();
    long last = 0;
    for (Entry e : batch.committedEntries()) {
      last = e.getIndex();
      lastAppliedTerm = e.getTerm();
      if (e.getIndex() <= store.consistentIndex()) {
        continue; // already in the store: replay after a restart is idempotent
      }
      if (e.getType() != EntryType.EntryNormal) {
        confChanges.add(e);
        store.setConsistentIndex(e.getIndex());
      } else if (e.getData().isEmpty()) {
        store.setConsistentIndex(e.getIndex()); // a new leader's empty entry
      } else {
        applyNormal(e, results);
      }
    }
    store.persistConsistentIndex();
    long snap = maybeSnapshot(last, batch);
    return new Applied(last, results, confChanges, snap);
  }

  private void applyNormal(Entry e, List<ProposalResult> results) {
    InternalRaftRequest req;
    try {
      req = InternalRaftRequest.parseFrom(e.getData());
    } catch (InvalidProtocolBufferException ex) {
      // Only this server writes entries; an unreadable one is skipped identically on every member.
      LOG.log(System.Logger.Level.ERROR, "skipping unreadable entry at index " + e.getIndex(), ex);
      store.setConsistentIndex(e.getIndex());
      return;
    }
    Applier.Result r = applier.apply(req, e.getIndex(), e.getTerm());
    ProposalResult result = new ProposalResult(req.getHeader().getID(), r.response(), r.error());
    if (r.physicalCompaction()) {
      awaitingCompaction.add(result);
      scheduleCompaction();
    } else {
      results.add(result);
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
      if (store.compactStep(COMPACTION_STEP)) {
        List<ProposalResult> done = new ArrayList<>(awaitingCompaction);
        awaitingCompaction.clear();
        if (!done.isEmpty()) {
          vertx.eventBus().send(addresses.applied(), new Applied(store.consistentIndex(), done, List.of(), 0));
        }
      } else {
        scheduleCompaction();
      }
    });
  }

  /** Every snapshotCount applied entries: make the store durable, record a snapshot, purge the WAL it covers. */
  private long maybeSnapshot(long applied, StorageBatch batch) throws IOException {
    if (applied - snapshotIndex < snapshotCount) {
      return 0;
    }
    store.sync();
    Snapshot snap = Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder()
        .setIndex(applied).setTerm(lastAppliedTerm).setConfState(batch.confState())).build();
    snapshotter.save(snap);
    wal.saveSnapshot(applied, lastAppliedTerm);
    wal.sync();
    int purged = wal.purge(applied);
    snapshotter.purge(5);
    snapshotIndex = applied;
    LOG.log(System.Logger.Level.INFO, "saved snapshot at index {0}; purged {1} WAL segment(s)", applied, purged);
    return applied;
  }

  @Override
  public Future<?> stop() {
    try {
      wal.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "closing the WAL", e);
    }
    try {
      store.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "closing the store", e);
    }
    return Future.succeededFuture();
  }
}
