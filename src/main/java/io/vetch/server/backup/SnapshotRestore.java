package io.vetch.server.backup;

import io.vetch.api.mvccpb.KeyValue;
import io.vetch.mvcc.KvStore;
import io.vetch.server.alarm.AlarmStore;
import io.vetch.server.auth.AuthStore;
import io.vetch.server.base.DataDir;
import io.vetch.server.lease.Lessor;
import io.vetch.server.membership.Membership;
import io.vetch.v2.V2Store;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one way a member's state is restored from a {@link MemberState}: the store from its image, then the
 * membership, leases, alarms and auth from its snapshot data, each by its own store's restore (which persists it in
 * the data directory). Three callers:
 * <ul>
 *   <li>{@link #install}: a leader's snapshot, newer than the store, at runtime (the storage worker). The caller has
 *   first recorded the snapshot durably (snap file and WAL snapshot record, fsynced) with its image kept at
 *   {@link DataDir#installingImage}, so that {@link #reopen} finishes an install that a crash cut short;
 *   <li>{@link #reopen}: at start (Bootstrap), with the member's newest snapshot;
 *   <li>{@link #newCluster}: a backup, into an empty data directory, for a new cluster (etcdutl snapshot restore).
 * </ul>
 * Their rules differ only as this table says, each for the reason below it:
 * <pre>
 *             install   reopen                                   newCluster
 * store       replaced  replaced if the snapshot is newer        created, at applied index 0 (a)
 * membership  replaced  replaced if the snapshot's is newer (b)  none (c)
 * leases      replaced  replaced if the store was (d)            replaced
 * alarms      replaced  replaced if the store was                none (c)
 * auth        replaced  replaced if the store was                replaced
 * v2          replaced  replaced (e)                             none (c)
 * </pre>
 * (a) The new cluster's Raft log starts over from its own first entry.
 * (b) The newest snapshot may be the member's own, older than its membership file; and a crash between the store's
 * switch and the membership's leaves the membership alone to finish. A change that keeps the membership's index
 * (member attributes, a downgrade) is not rolled back by a snapshot at that index.
 * (c) The new cluster's --initial-cluster makes its membership; alarms name the old cluster's members.
 * (d) Snapshot data written before a section travelled in it lacks it: no alarms then, auth as it is, and no leases
 * to install while reopen keeps the member's own (re-attached to the installed keys). Snapshot data with no section
 * at all (vetch never writes it) restores the store alone.
 * (e) The v2 store is in memory only: at start it is the snapshot's (empty without a v2 section: snapshots written
 * before v2 existed, when there was no v2 data), and Bootstrap replays the v2 requests of the WAL after it.
 * A crash during install after the store's switch leaves leases, alarms and auth as they were before it: reopen then
 * finds the store as new as the snapshot (a gap kept as it was found, for a change of its own).
 */
public final class SnapshotRestore {
  private static final System.Logger LOG = System.getLogger(SnapshotRestore.class.getName());
  /** u32 count 0: no leases, no alarms, in their snapshot formats. */
  private static final byte[] NONE = new byte[4];

  private enum Rule { INSTALL, REOPEN, NEW_CLUSTER }

  /**
   * A member's stores besides the KV store: what a snapshot's data restores. The v2 store lives in memory only: a
   * snapshot carries it, and Bootstrap replays the WAL's v2 requests after the snapshot into it.
   */
  public record Stores(Membership membership, Lessor lessor, AlarmStore alarms, AuthStore auth, V2Store v2) {
    /**
     * Opens them in dir as a member does: leases with etcd's minimum TTL, attached to the store's leased keys; an
     * empty v2 store.
     */
    public static Stores load(DataDir dir, long minLeaseTtl, List<KeyValue> leasedKeys) throws IOException {
      return new Stores(Membership.load(dir.membersFile()),
          Lessor.load(dir.leasesFile(), minLeaseTtl, leasedKeys, System::nanoTime),
          AlarmStore.load(dir.alarmsFile()), AuthStore.load(dir.authFile()), new V2Store());
    }

    /** What a snapshot of them carries. */
    public SnapshotData snapshotData() {
      return new SnapshotData(membership.toBytes(), lessor.toBytes(), alarms.toBytes(), auth.toBytes(), v2.save());
    }
  }

  private SnapshotRestore() {}

  /**
   * Installs state, newer than store, into store and to (storage worker). switched gets the replaced store backend
   * once the new one is live, to close when reads that started on it are done. The image is deleted once all is
   * installed; after an exception it stays, for {@link #reopen}.
   */
  public static void install(MemberState state, KvStore store, Stores to, Consumer<Closeable> switched)
      throws IOException {
    switched.accept(store.restoreImage(state.image()));
    restore(state.data(), to, store.leasedKeysAtOpen(), Rule.INSTALL);
    Files.deleteIfExists(state.image());
  }

  /**
   * At start, with the member's newest snapshot and its image where {@link #install} keeps it: finishes an install
   * that a crash cut short, and returns whether there was one (the snapshot newer than the store). to were opened
   * with this store.
   */
  public static boolean reopen(MemberState state, KvStore store, Stores to) throws IOException {
    boolean installing = state.index() > store.consistentIndex();
    if (installing) {
      if (!Files.exists(state.image())) {
        throw new IOException("snapshot at index " + state.index() + " is newer than the store (applied index "
            + store.consistentIndex() + ") and its store image " + state.image() + " is missing");
      }
      LOG.log(System.Logger.Level.INFO, "finishing the install of the snapshot at index {0}", state.index());
      store.restoreImage(state.image()).close();
      restore(state.data(), to, store.leasedKeysAtOpen(), Rule.REOPEN);
    } else if (state.data().membership() != null) {
      restoreMembership(state.data().membership(), to.membership(), Rule.REOPEN);
    }
    restoreV2(state.data(), to.v2());
    Files.deleteIfExists(state.image());
    return installing;
  }

  /**
   * Restores state into dir, which holds no member, for a new cluster: the store (applied index 0), the leases and
   * auth. The member makes the rest, and attaches the keys to their leases, when it starts.
   */
  public static void newCluster(MemberState state, DataDir dir) throws IOException {
    Files.createDirectories(dir.memberDir());
    KvStore.createFromImage(dir.storeDir(), state.image());
    restore(state.data(), Stores.load(dir, 0, List.of()), List.of(), Rule.NEW_CLUSTER);
  }

  /** The snapshot data's sections into to, by rule (see the class comment); leasedKeys are the installed store's. */
  private static void restore(SnapshotData data, Stores to, List<KeyValue> leasedKeys, Rule rule)
      throws IOException {
    if (data.membership() == null) {
      return;
    }
    restoreMembership(data.membership(), to.membership(), rule);
    if (rule == Rule.INSTALL) {
      restoreV2(data, to.v2());
    }
    byte[] leases = data.leases() != null ? data.leases() : rule == Rule.INSTALL ? NONE : to.lessor().toBytes();
    to.lessor().restore(leases, leasedKeys);
    if (rule != Rule.NEW_CLUSTER) {
      to.alarms().restore(data.alarms() != null ? data.alarms() : NONE);
    }
    if (data.auth() != null) {
      to.auth().restore(data.auth());
    }
  }

  /** The v2 store as data has it: its v2 section, or empty when it has none. */
  private static void restoreV2(SnapshotData data, V2Store to) {
    to.restore(data.v2() != null ? data.v2() : new V2Store().save());
  }

  private static void restoreMembership(byte[] members, Membership to, Rule rule) throws IOException {
    if (rule == Rule.INSTALL || rule == Rule.REOPEN && Membership.decodeIndex(members) > to.index()) {
      to.restore(members);
    }
  }
}
