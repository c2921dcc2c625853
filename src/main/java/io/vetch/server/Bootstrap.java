package io.vetch.server;

import io.vetch.api.raftpb.Snapshot;
import io.vetch.mvcc.KvStore;
import io.vetch.mvcc.StoreOptions;
import io.vetch.raft.MemoryStorage;
import io.vetch.snap.Snapshotter;
import io.vetch.wal.Wal;
import io.vetch.wal.WalOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Opens a member's data directory (blocking I/O: run it on a worker thread) and recovers its state:
 * <pre>
 * data-dir/member/wal/    WAL segments        -> hard state and log entries after the snapshot
 * data-dir/member/snap/   snapshot metadata   -> where the log starts
 * data-dir/member/store/  MVCC Chronicle Map  -> applied state up to its consistent index
 * data-dir/member/attributes  members' published names and client URLs
 * </pre>
 * Entries after the store's consistent index are re-applied by the normal Raft flow after start: replay is
 * idempotent because the store discards anything written past its consistent index when it opens.
 */
final class Bootstrap {
  private static final System.Logger LOG = System.getLogger(Bootstrap.class.getName());

  /** Everything opened; the caller owns (and must close) wal and store. */
  record Opened(Wal wal, Snapshotter snapshotter, KvStore store, MemoryStorage raftLog, long memberId,
      long clusterId, List<Long> initialMembers, boolean newMember, long snapshotIndex,
      MemberAttributes attributes) {}

  private Bootstrap() {}

  static Opened open(ServerConfig cfg) throws IOException {
    Path member = cfg.dataDir().resolve("member");
    Files.createDirectories(member);
    Wal wal = Wal.open(member.resolve("wal"), WalOptions.defaults());
    KvStore store = null;
    try {
      Snapshotter snapshotter = new Snapshotter(member.resolve("snap"));
      store = KvStore.open(member.resolve("store"), StoreOptions.defaults());
      List<Long> initial = MemberIds.initialMembers(cfg.initialCluster(), cfg.initialClusterToken());
      boolean newMember = wal.metadata() == null;
      long memberId;
      long clusterId;
      if (newMember) {
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
      MemoryStorage raftLog = new MemoryStorage();
      Optional<Snapshot> snap = snapshotter.loadNewest();
      long snapshotIndex = 0;
      if (snap.isPresent()) {
        raftLog.applySnapshot(snap.get());
        snapshotIndex = snap.get().getMetadata().getIndex();
      }
      raftLog.setHardState(wal.hardState());
      raftLog.append(wal.entries());
      LOG.log(System.Logger.Level.INFO,
          "member {0} of cluster {1}: {2}; snapshot index {3}, WAL entries {4}, store applied index {5}, revision {6}",
          Long.toHexString(memberId), Long.toHexString(clusterId), newMember ? "new" : "restarted", snapshotIndex,
          wal.entries().size(), store.consistentIndex(), store.currentRevision());
      MemberAttributes attributes = MemberAttributes.load(member.resolve("attributes"));
      return new Opened(wal, snapshotter, store, raftLog, memberId, clusterId, initial, newMember, snapshotIndex,
          attributes);
    } catch (IOException | RuntimeException e) {
      wal.close();
      if (store != null) {
        store.close();
      }
      throw e;
    }
  }
}
