package io.vetch.server.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.AlarmMember;
import io.vetch.api.etcdserverpb.AlarmType;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.mvccpb.Event;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.api.raftpb.ConfChange;
import io.vetch.api.raftpb.ConfChangeType;
import io.vetch.api.raftpb.Snapshot;
import io.vetch.api.raftpb.SnapshotMetadata;
import io.vetch.mvcc.KvStore;
import io.vetch.mvcc.StoreOptions;
import io.vetch.mvcc.WriteTxn;
import io.vetch.server.base.DataDir;
import io.vetch.server.membership.Membership;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one restore path, from a leader's state (keys, a lease with a key on it, two members, an alarm, a user) into
 * a member that holds other state, by each of its three callers, with the rules where they differ.
 */
class SnapshotRestoreTest {
  private static final StoreOptions OPTS = new StoreOptions(1_000, 32);
  private static final long INDEX = 10;
  private static final long LEASE = 7;

  @TempDir Path tmp;
  private DataDir dir;
  private Path image;
  private SnapshotData leader;
  private long leaderRevision;
  private final List<KvStore> open = new ArrayList<>();

  @BeforeEach
  void leaderState() throws Exception {
    DataDir l = new DataDir(tmp.resolve("leader"));
    Files.createDirectories(l.memberDir());
    KvStore store = open(l);
    SnapshotRestore.Stores s = SnapshotRestore.Stores.load(l, 1, store.leasedKeysAtOpen());
    s.membership().applyConfChange(add(1, "a"), 1);
    s.membership().applyConfChange(add(2, "b"), 2);
    s.lessor().grant(LEASE, 10);
    put(store, 3, "k1", "v1", 0);
    KeyValue leased = put(store, 4, "k2", "v2", LEASE);
    s.lessor().onEvents(List.of(Event.newBuilder().setType(Event.EventType.PUT).setKv(leased).build()));
    s.alarms().activate(2, AlarmType.NOSPACE);
    s.auth().userAdd("alice", null, true);
    s.v2().set("/v2/key", false, "from-leader", io.vetch.v2.V2TtlOptions.PERMANENT);
    store.setConsistentIndex(INDEX);
    store.persistConsistentIndex();
    leaderRevision = store.currentRevision();
    image = store.writeImage(tmp.resolve("leader.image"));
    leader = s.snapshotData();
    dir = new DataDir(tmp.resolve("member"));
    Files.createDirectories(dir.snapDir()); // as the Snapshotter makes it
  }

  @AfterEach
  void close() throws IOException {
    for (KvStore s : open) {
      s.close();
    }
  }

  @Test
  void installReplacesEveryPartAndPersistsIt() throws Exception {
    KvStore store = followerStore();
    SnapshotRestore.Stores to = followerStores(store);
    Path kept = keep();
    List<Closeable> retired = new ArrayList<>();
    SnapshotRestore.install(state(kept, leader), store, to, retired::add);
    assertEquals(1, retired.size(), "the replaced backend, for the caller to close");
    retired.get(0).close();
    assertLeaderState(store, to);
    assertV2IsTheLeaders(to);
    assertFalse(Files.exists(kept), "the image is deleted once installed");
    assertLeaderStateReloads();
  }

  @Test
  void reopenFinishesAnInstallACrashCutShort() throws Exception {
    KvStore store = followerStore();
    SnapshotRestore.Stores to = followerStores(store);
    Path kept = keep();
    assertTrue(SnapshotRestore.reopen(state(kept, leader), store, to));
    assertLeaderState(store, to);
    assertV2IsTheLeaders(to);
    assertFalse(Files.exists(kept));
    assertLeaderStateReloads();
  }

  @Test
  void reopenWithoutTheImageOfANewerSnapshotFailsAndChangesNothing() throws Exception {
    KvStore store = followerStore();
    SnapshotRestore.Stores to = followerStores(store);
    IOException e = assertThrows(IOException.class,
        () -> SnapshotRestore.reopen(state(dir.installingImage(INDEX), leader), store, to));
    assertTrue(e.getMessage().contains("is missing"), e.getMessage());
    assertEquals(0, store.consistentIndex());
    assertNull(to.auth().user("alice"));
  }

  @Test
  void reopenWithTheMembersOwnSnapshotTakesOnlyANewerMembership() throws Exception {
    KvStore store = followerStore();
    store.setConsistentIndex(INDEX); // the store already has the snapshot: nothing to install
    store.persistConsistentIndex();
    store.close();
    open.remove(store);
    store = open(dir);
    SnapshotRestore.Stores to = followerStores(store);
    Path stale = keep(); // left by a crash after the store's switch
    assertFalse(SnapshotRestore.reopen(state(stale, leader), store, to));
    assertEquals(2, to.membership().members().size(), "the snapshot's membership (index 2) is newer than none");
    assertFalse(Files.exists(stale));
    assertEquals(List.of(alarm(9, AlarmType.CORRUPT)), to.alarms().get(AlarmType.NONE), "nothing else changes");
    assertNull(to.auth().user("alice"));
    assertEquals(1, to.lessor().all().size());
    assertV2IsTheLeaders(to); // in memory only: always the snapshot's, then the WAL's (Bootstrap)

    to.membership().applyConfChange(add(3, "c"), INDEX + 1); // the member's own membership moved on
    assertFalse(SnapshotRestore.reopen(state(stale, leader), store, to));
    assertEquals(3, to.membership().members().size(), "a snapshot's older membership does not roll it back");
  }

  @Test
  void newClusterTakesTheStoreLeasesAndAuthAtAppliedIndexZero() throws Exception {
    DataDir fresh = new DataDir(tmp.resolve("restored"));
    SnapshotRestore.newCluster(new MemberState(INDEX, 0, image, leader), fresh);
    assertTrue(Files.exists(image), "the backup's image is its caller's");
    assertFalse(Files.exists(fresh.membersFile()), "--initial-cluster makes the membership");
    assertFalse(Files.exists(fresh.alarmsFile()), "alarms name the old cluster's members");
    KvStore store = open(fresh);
    assertEquals(0, store.consistentIndex(), "the new cluster's log starts over");
    assertEquals(leaderRevision, store.currentRevision());
    assertEquals(2, store.keyCount());
    SnapshotRestore.Stores s = SnapshotRestore.Stores.load(fresh, 1, store.leasedKeysAtOpen());
    assertEquals(List.of("k2"), leaseKeys(s));
    assertTrue(s.auth().user("alice") != null);
    assertEquals(List.of(), s.membership().members());
    assertEquals(List.of(), s.alarms().get(AlarmType.NONE));
  }

  @Test
  void snapshotDataWithoutLaterSectionsClearsAlarmsKeepsAuthAndLeavesLeasesByCaller() throws Exception {
    SnapshotData membershipOnly = SnapshotData.decode(leader.membership()); // the format before "VSD1"
    assertNull(membershipOnly.leases());

    KvStore store = followerStore();
    SnapshotRestore.Stores to = followerStores(store);
    SnapshotRestore.install(state(keep(), membershipOnly), store, to, c -> { });
    assertEquals(2, to.membership().members().size());
    assertEquals(List.of(), to.lessor().all(), "install: no leases");
    assertEquals(List.of(), to.alarms().get(AlarmType.NONE));
    assertTrue(to.auth().user("old") != null, "auth as it was");

    DataDir other = new DataDir(tmp.resolve("other"));
    Files.createDirectories(other.snapDir());
    KvStore reopened = open(other);
    SnapshotRestore.Stores own = followerStores(reopened, other);
    own.lessor().grant(LEASE, 30); // the member's own lease 7, without keys in its empty store
    Files.copy(image, other.installingImage(INDEX));
    assertTrue(SnapshotRestore.reopen(state(other.installingImage(INDEX), membershipOnly), reopened, own));
    assertEquals(List.of(LEASE, 99L), own.lessor().all().stream().map(l -> l.id).sorted().toList(),
        "reopen: the member's own leases");
    assertEquals(30, own.lessor().get(LEASE).ttl);
    assertEquals(List.of("k2"), leaseKeys(own), "re-attached to the installed store's keys");
    assertEquals(List.of(), own.alarms().get(AlarmType.NONE));
    assertTrue(own.auth().user("old") != null);
  }

  @Test
  void noSnapshotDataRestoresTheStoreAlone() throws Exception {
    KvStore store = followerStore();
    SnapshotRestore.Stores to = followerStores(store);
    SnapshotRestore.install(state(keep(), SnapshotData.decode(new byte[0])), store, to, c -> { });
    assertEquals(INDEX, store.consistentIndex());
    assertEquals(List.of(), to.membership().members());
    assertEquals(List.of(alarm(9, AlarmType.CORRUPT)), to.alarms().get(AlarmType.NONE));
    assertEquals(1, to.lessor().all().size());
  }

  /** What the previous vetch wrote: four sections, no v2 store. Its v2 store is empty, whoever restores it. */
  @Test
  void snapshotDataOfThePreviousVetchHasAnEmptyV2Store() throws Exception {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(20 + leader.membership().length + leader.leases().length
        + leader.alarms().length + leader.auth().length).putInt(0x56534431);
    for (byte[] section : new byte[][] {leader.membership(), leader.leases(), leader.alarms(), leader.auth()}) {
      b.putInt(section.length).put(section);
    }
    SnapshotData old = SnapshotData.decode(b.array());
    assertNull(old.v2());
    assertEquals(2, Membership.decodeMembers(old.membership()).size());

    KvStore store = followerStore();
    SnapshotRestore.Stores to = followerStores(store);
    Snapshot snap = Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(INDEX).setTerm(2))
        .setData(ByteString.copyFrom(b.array())).build();
    SnapshotRestore.install(MemberState.of(snap, keep()), store, to, c -> { });
    assertEquals(0, to.v2().index());
    assertThrows(io.vetch.v2.V2Error.class, () -> to.v2().get("/own", false, false));
    assertTrue(to.auth().user("alice") != null, "the other sections as before");
  }

  private static void assertV2IsTheLeaders(SnapshotRestore.Stores to) {
    assertEquals("from-leader", to.v2().get("/v2/key", false, false).node().value());
    assertThrows(io.vetch.v2.V2Error.class, () -> to.v2().get("/own", false, false));
  }

  // ---- fixtures ----

  private KvStore open(DataDir d) throws IOException {
    KvStore s = KvStore.open(d.storeDir(), OPTS);
    open.add(s);
    return s;
  }

  /** The member's store: empty, applied index 0. */
  private KvStore followerStore() throws IOException {
    return open(dir);
  }

  private SnapshotRestore.Stores followerStores(KvStore store) throws Exception {
    return followerStores(store, dir);
  }

  /** The member's other state: an alarm, a user and a lease of its own, opened as Bootstrap opens them. */
  private static SnapshotRestore.Stores followerStores(KvStore store, DataDir d) throws Exception {
    SnapshotRestore.Stores s = SnapshotRestore.Stores.load(d, 1, store.leasedKeysAtOpen());
    s.alarms().activate(9, AlarmType.CORRUPT);
    s.auth().userAdd("old", null, true);
    s.lessor().grant(99, 30);
    s.v2().set("/own", false, "own", io.vetch.v2.V2TtlOptions.PERMANENT);
    return s;
  }

  /** The leader's image where the storage worker keeps it while installing. */
  private Path keep() throws IOException {
    return Files.copy(image, dir.installingImage(INDEX));
  }

  private static MemberState state(Path image, SnapshotData data) throws IOException {
    Snapshot snap = Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(INDEX).setTerm(2))
        .setData(ByteString.copyFrom(data.membership() == null ? new byte[0] : encode(data))).build();
    MemberState s = MemberState.of(snap, image);
    assertEquals(INDEX, s.index());
    assertEquals(2, s.term());
    return s;
  }

  /** data as a snapshot carries it, a membership-only one in the format before the sections. */
  private static byte[] encode(SnapshotData data) {
    return data.leases() == null ? data.membership() : data.encode();
  }

  private void assertLeaderState(KvStore store, SnapshotRestore.Stores to) throws Exception {
    assertEquals(INDEX, store.consistentIndex());
    assertEquals(leaderRevision, store.currentRevision());
    assertEquals(2, store.keyCount());
    assertEquals(List.of(1L, 2L), to.membership().members().stream().map(Member::getID).toList());
    assertEquals(List.of(LEASE), to.lessor().all().stream().map(l -> l.id).toList());
    assertEquals(List.of("k2"), leaseKeys(to));
    assertEquals(List.of(alarm(2, AlarmType.NOSPACE)), to.alarms().get(AlarmType.NONE));
    assertTrue(to.auth().user("alice") != null);
    assertNull(to.auth().user("old"));
  }

  /** What the member finds in its files after the restore. */
  private void assertLeaderStateReloads() throws Exception {
    SnapshotRestore.Stores reloaded = SnapshotRestore.Stores.load(dir, 1, List.of());
    assertEquals(2, reloaded.membership().members().size());
    assertEquals(List.of(LEASE), reloaded.lessor().all().stream().map(l -> l.id).toList());
    assertEquals(1, reloaded.alarms().get(AlarmType.NONE).size());
    assertTrue(reloaded.auth().user("alice") != null);
  }

  private static List<String> leaseKeys(SnapshotRestore.Stores s) {
    return s.lessor().get(LEASE).keys().stream().map(ByteString::toStringUtf8).toList();
  }

  private static AlarmMember alarm(long member, AlarmType type) {
    return AlarmMember.newBuilder().setMemberID(member).setAlarm(type).build();
  }

  private static ConfChange add(long id, String name) {
    return ConfChange.newBuilder().setType(ConfChangeType.ConfChangeAddNode).setNodeId(id)
        .setContext(Member.newBuilder().setName(name).addPeerURLs("http://" + name + ":2380").build().toByteString())
        .build();
  }

  private static KeyValue put(KvStore s, long index, String key, String value, long lease) {
    WriteTxn t = s.write(index);
    t.put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), lease);
    t.end();
    return KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key)).setLease(lease).build();
  }
}
