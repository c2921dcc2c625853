package io.vetch.server;

import io.vetch.server.backup.MemberState;
import io.vetch.server.backup.SnapshotRestore;
import io.vetch.server.membership.Membership;
import io.vetch.server.config.ServerConfig;
import io.vetch.server.base.DataDir;
import io.vetch.server.base.MemberIds;
import io.vetch.api.raftpb.Snapshot;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.EntryType;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vetch.server.apply.V2Applier;
import io.vetch.v2.V2Store;
import io.vetch.mvcc.KvStore;
import io.vetch.mvcc.StoreOptions;
import io.vetch.server.alarm.AlarmStore;
import io.vetch.raft.MemoryStorage;
import io.vetch.snap.Snapshotter;
import io.vetch.wal.Wal;
import io.vetch.wal.WalOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.Optional;

/**
 * Opens a member's data directory ({@link DataDir}; blocking I/O: run it on a worker thread) and recovers its state:
 * the WAL gives the hard state and the log entries after the newest snapshot, which says where the log starts; the
 * store holds the applied state up to its consistent index; the membership ({@link Membership}), leases
 * ({@link io.vetch.server.lease.Lessor}), alarms ({@link AlarmStore}) and auth ({@link io.vetch.server.auth.AuthStore})
 * are in their files; an install of a leader's snapshot that a crash cut short is finished
 * ({@link SnapshotRestore#reopen}); snapshot images being received are discarded.
 * A member joining an existing cluster (--initial-cluster-state existing, no WAL yet) takes the cluster id from
 * an existing member and finds its own id there by its advertised peer URLs, as etcd does.
 * Entries after the store's consistent index are re-applied by the normal Raft flow after start: replay is
 * idempotent because the store discards anything written past its consistent index when it opens.
 */
final class Bootstrap {
  private static final System.Logger LOG = System.getLogger(Bootstrap.class.getName());

  /** Everything opened; the caller owns (and must close) wal and store. */
  record Opened(Wal wal, Snapshotter snapshotter, KvStore store, MemoryStorage memoryStorage, long memberId,
      long clusterId, List<Long> initialMembers, boolean newMember, long snapshotIndex, DataDir dataDir,
      SnapshotRestore.Stores stores) {
    Membership membership() {
      return stores.membership();
    }

    io.vetch.server.lease.Lessor lessor() {
      return stores.lessor();
    }

    AlarmStore alarms() {
      return stores.alarms();
    }

    io.vetch.server.auth.AuthStore auth() {
      return stores.auth();
    }
  }

  private Bootstrap() {}

  /** Whether the data directory already holds a WAL (a member that has started before). */
  static boolean hasWal(ServerConfig cfg) throws IOException {
    Path wal = new DataDir(cfg.dataDir()).walDir();
    if (!Files.isDirectory(wal)) {
      return false;
    }
    try (var files = Files.list(wal)) {
      return files.anyMatch(f -> f.getFileName().toString().endsWith(".wal"));
    }
  }

  /**
   * joined: what an existing member answered (--initial-cluster-state existing), else null. rewriteStore: copy the
   * store into fresh files before serving ({@link KvStore#rewrite}), after a store fsync failed: the pages whose
   * write-back failed are clean in the page cache but not on disk, and a later successful fsync would not write
   * them, so the WAL purged after it could no longer make up for them. (A failed store write, Chronicle unable to
   * grow its file, wrote no page: no rewrite, which would need the room a full disk lacks.)
   */
  static Opened open(ServerConfig cfg, io.vetch.transport.ClusterJoin.Joined joined, boolean rewriteStore)
      throws IOException {
    DataDir dir = new DataDir(cfg.dataDir());
    StorageSpace.require(dir, WalOptions.defaults()); // before anything is allocated, not Chronicle's message later
    Files.createDirectories(dir.memberDir());
    // The WAL and the store are independent files: read both at once (seconds each with a large store).
    CompletableFuture<KvStore> opening = CompletableFuture.supplyAsync(() -> {
      try {
        return KvStore.open(dir.storeDir(), StoreOptions.defaults());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, r -> new Thread(r, "vetch-store-open").start());
    Wal wal;
    long t0 = System.nanoTime();
    try {
      wal = Wal.open(dir.walDir(), WalOptions.defaults());
      LOG.log(System.Logger.Level.INFO, "WAL read in {0} ms", (System.nanoTime() - t0) / 1_000_000);
    } catch (IOException | RuntimeException e) {
      // The store's opening ends and the store is closed before the error returns: nothing of this failed start may
      // still touch the data directory when the caller retries or removes it.
      try {
        closeQuietly(opened(opening));
      } catch (IOException | RuntimeException alsoFailed) {
        e.addSuppressed(alsoFailed);
      }
      throw e;
    }
    KvStore store = null;
    try {
      Snapshotter snapshotter = new Snapshotter(dir.snapDir());
      store = opened(opening);
      if (rewriteStore) {
        long t = System.nanoTime();
        store.rewrite();
        LOG.log(System.Logger.Level.WARNING, "rewrote the store after its storage failure in {0} ms",
            (System.nanoTime() - t) / 1_000_000);
      }
      List<Long> initial = MemberIds.initialMembers(cfg.initialCluster(), cfg.initialClusterToken());
      boolean newMember = wal.metadata() == null;
      long memberId;
      long clusterId;
      if (newMember && joined != null) {
        clusterId = joined.clusterId();
        memberId = ownIdIn(Membership.decodeMembers(joined.membership()), cfg.initialAdvertisePeerUrls());
        initial = List.of();
        wal.saveMetadata(ByteBuffer.allocate(16).putLong(memberId).putLong(clusterId).array());
        wal.sync();
      } else if (newMember) {
        List<URI> own = cfg.initialCluster().get(cfg.name());
        memberId = MemberIds.memberId(own, cfg.initialClusterToken());
        clusterId = MemberIds.clusterId(initial);
        wal.saveMetadata(ByteBuffer.allocate(16).putLong(memberId).putLong(clusterId).array());
        wal.sync();
      } else {
        ByteBuffer meta = ByteBuffer.wrap(wal.metadata());
        memberId = meta.getLong();
        clusterId = meta.getLong();
      }
      MemoryStorage memoryStorage = new MemoryStorage();
      Optional<Snapshot> snap = snapshotter.loadNewest();
      long snapshotIndex = 0;
      if (snap.isPresent()) {
        memoryStorage.applySnapshot(snap.get());
        snapshotIndex = snap.get().getMetadata().getIndex();
      }
      memoryStorage.setHardState(wal.hardState());
      memoryStorage.append(wal.entries());
      LOG.log(System.Logger.Level.INFO,
          "member {0} of cluster {1}: {2}; snapshot index {3}, WAL entries {4}, store applied index {5}, revision {6}",
          Long.toHexString(memberId), Long.toHexString(clusterId), newMember ? "new" : "restarted", snapshotIndex,
          wal.entries().size(), store.consistentIndex(), store.currentRevision());
      SnapshotRestore.Stores stores = SnapshotRestore.Stores.load(dir, minLeaseTtl(cfg), store.leasedKeysAtOpen());
      if (snap.isPresent()) {
        long index = snap.get().getMetadata().getIndex();
        SnapshotRestore.reopen(MemberState.of(snap.get(), dir.installingImage(index)), store, stores);
      }
      replayV2(wal.entries(), snapshotIndex, store.consistentIndex(), stores.v2());
      io.vetch.mvcc.backend.BackendDir.deleteTree(dir.incomingDir());
      return new Opened(wal, snapshotter, store, memoryStorage, memberId, clusterId, initial, newMember, snapshotIndex,
          dir, stores);
    } catch (IOException | RuntimeException e) {
      wal.close();
      if (store != null) {
        store.close();
      }
      throw e;
    }
  }

  /**
   * Rebuilds the v2 store, which lives in memory: from the snapshot's (already restored, as of snapshotIndex) through
   * the v2 requests of the applied entries after it, up to applied (the store's consistent index; Raft hands this
   * member only the entries after it).
   */
  static void replayV2(List<Entry> entries, long snapshotIndex, long applied, V2Store v2) {
    int replayed = 0;
    for (Entry e : entries) {
      if (e.getIndex() <= snapshotIndex || e.getIndex() > applied || e.getType() != EntryType.EntryNormal
          || e.getData().isEmpty()) {
        continue;
      }
      InternalRaftRequest req;
      try {
        req = InternalRaftRequest.parseFrom(e.getData());
      } catch (InvalidProtocolBufferException ex) {
        continue; // skipped when it was applied, too
      }
      if (req.hasV2()) {
        V2Applier.apply(v2, req.getV2());
        replayed++;
      }
    }
    if (replayed > 0) {
      LOG.log(System.Logger.Level.INFO, "v2 store rebuilt: {0} v2 request(s) replayed after snapshot index {1}",
          replayed, snapshotIndex);
    }
  }

  /** The store once open, or what opening it threw. */
  private static KvStore opened(CompletableFuture<KvStore> opening) throws IOException {
    try {
      return opening.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
  }

  private static void closeQuietly(KvStore store) {
    try {
      store.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "closing the store after a failed start", e);
    }
  }

  /** etcd's minimum lease TTL: 1.5 election timeouts, in whole seconds rounded up. */
  static long minLeaseTtl(ServerConfig cfg) {
    long ms = (3L * cfg.electionTicks() / 2) * cfg.heartbeatIntervalMs();
    return (ms + 999) / 1000;
  }

  private static long ownIdIn(List<io.vetch.api.etcdserverpb.Member> members, List<URI> ownPeerUrls) {
    List<String> own = ownPeerUrls.stream().map(URI::toString).sorted().toList();
    for (var m : members) {
      if (m.getPeerURLsList().stream().sorted().toList().equals(own)) {
        return m.getID();
      }
    }
    throw new IllegalStateException("no member of the existing cluster has peer URLs " + own
        + "; add this member first (etcdctl member add NAME --peer-urls=...)");
  }
}
