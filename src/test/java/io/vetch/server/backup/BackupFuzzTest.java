package io.vetch.server.backup;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import io.vetch.api.authpb.Permission;
import io.vetch.api.etcdserverpb.AlarmType;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.leasepb.Lease;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.api.raftpb.ConfChange;
import io.vetch.api.raftpb.ConfChangeType;
import io.vetch.bolt.BoltWriter;
import io.vetch.mvcc.KvStore;
import io.vetch.mvcc.Revision;
import io.vetch.mvcc.StoreOptions;
import io.vetch.mvcc.WriteTxn;
import io.vetch.server.alarm.AlarmStore;
import io.vetch.server.auth.AuthStore;
import io.vetch.server.base.DataDir;
import io.vetch.server.lease.Lessor;
import io.vetch.server.membership.Membership;
import io.vetch.testing.Fuzzing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes what a member reads from backups and snapshot data, all of which come from outside or from a disk:
 * <ul>
 *   <li>{@code snapshotData}: a Raft snapshot's data field ({@link SnapshotData}) and its sections, decoded as
 *   {@link SnapshotRestore} installs them (membership, leases, alarms, auth, the last two into real stores);
 *   <li>{@code vbk1} / {@code vbk1WithSha}: vetch's own older backups, {@link BackupFile#restore} into a fresh data
 *   directory (a real store, opened after it), the second with the SHA-256 trailer made to match ({@code status}
 *   decodes them the same way, into a store sized for real use, which is too slow for a fuzzer);
 *   <li>{@code etcdDb}: etcd's backups (bbolt), {@link EtcdDbReader#status} and {@link EtcdDbReader#read} without the
 *   hash check, then the store image and snapshot data it produced, through a restore.
 * </ul>
 * Every input must end in an IOException naming the damage or in a restore that opens.
 */
class BackupFuzzTest {
  private static final StoreOptions OPTS = new StoreOptions(1_000, 32);
  private static Path dir;

  @BeforeAll
  static void scratch() {
    dir = Fuzzing.scratch("backup");
  }

  @AfterAll
  static void cleanUp() throws IOException {
    Fuzzing.delete(dir);
  }

  @FuzzTest(maxDuration = "10m")
  void snapshotData(byte[] data) {
    SnapshotData d;
    try {
      d = SnapshotData.decode(data);
    } catch (IOException expected) {
      return;
    }
    sections(d);
  }

  private static void sections(SnapshotData d) {
    try {
      if (d.membership() != null) {
        Membership.decodeIndex(d.membership());
        Membership.decodeMembers(d.membership());
        Membership.decodeRemoved(d.membership());
      }
      if (d.leases() != null) {
        Lessor.decodeSaved(d.leases());
      }
      if (d.alarms() != null) {
        AlarmStore.decodeAlarms(d.alarms());
        AlarmStore.inMemory().restore(d.alarms());
      }
      if (d.auth() != null) {
        AuthStore.decodeSaved(d.auth());
        AuthStore.inMemory().restore(d.auth());
      }
    } catch (IOException expected) {
      // damage named
    }
  }

  @FuzzTest(maxDuration = "10m")
  void vbk1(byte[] data) throws Exception {
    restore(data, false);
  }

  @FuzzTest(maxDuration = "10m")
  void vbk1WithSha(byte[] data) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(data);
    b.write(BackupFile.digest().digest(data));
    restore(b.toByteArray(), false);
  }

  @FuzzTest(maxDuration = "10m")
  void etcdDb(byte[] data) throws Exception {
    Fuzzing.clear(dir);
    Path file = dir.resolve("backup.db");
    Files.write(file, data);
    try {
      EtcdDbReader.status(file);
    } catch (IOException expected) {
      // damage named
    }
    Path image = dir.resolve("image");
    MemberState state;
    try {
      state = EtcdDbReader.read(file, image, true);
    } catch (IOException expected) {
      return;
    }
    sections(state.data());
    restore(data, true);
  }

  /** status and restore of a backup file, and the restored store opened, as bin/vetch snapshot does. */
  private static void restore(byte[] data, boolean skipHashCheck) throws Exception {
    Fuzzing.clear(dir);
    Path file = dir.resolve("backup");
    Files.write(file, data);
    Path restored = dir.resolve("restored");
    try {
      BackupFile.restore(file, restored, skipHashCheck);
    } catch (IOException expected) {
      return;
    }
    DataDir d = new DataDir(restored);
    try (KvStore s = KvStore.open(d.storeDir(), OPTS)) {
      s.range(new byte[] {0}, new byte[] {0}, 0, 0, false);
    }
    SnapshotRestore.Stores.load(d, 1, List.of());
  }

  /** A member's state: history with a delete and a compaction, a lease, a member, an alarm, users and roles. */
  private static MemberState member(Path d) throws Exception {
    DataDir dd = new DataDir(d);
    Files.createDirectories(dd.memberDir());
    SnapshotRestore.Stores s = SnapshotRestore.Stores.load(dd, 1, List.of());
    Path image = d.resolve("image");
    try (KvStore store = KvStore.open(dd.storeDir(), OPTS)) {
      long index = 0;
      for (String k : new String[] {"a", "b", "a", "c"}) {
        WriteTxn t = store.write(++index);
        t.put(bytes(k), bytes("v" + index), 0);
        t.end();
      }
      WriteTxn t = store.write(++index);
      t.deleteRange(bytes("b"), null);
      t.end();
      store.compact(3, ++index);
      s.lessor().grant(0x1234, 600);
      t = store.write(++index);
      t.put(bytes("leased"), bytes("x"), 0x1234);
      t.end();
      s.membership().applyConfChange(ConfChange.newBuilder().setType(ConfChangeType.ConfChangeAddNode)
          .setNodeId(0xfedcba98L).setContext(Member.newBuilder().setName("m1").addPeerURLs("http://m1:2380")
              .addClientURLs("http://m1:2379").build().toByteString()).build(), ++index);
      s.alarms().activate(0xfedcba98L, AlarmType.NOSPACE);
      s.auth().roleAdd("root");
      s.auth().roleAdd("reader");
      s.auth().roleGrantPermission("reader", Permission.newBuilder().setPermType(Permission.Type.READ)
          .setKey(ByteString.copyFromUtf8("a")).setRangeEnd(ByteString.copyFromUtf8("b")).build());
      s.auth().userAdd("root", bytes("$2a$10$hash"), false);
      s.auth().userGrantRole("root", "root");
      s.auth().userAdd("alice", null, true);
      s.auth().userGrantRole("alice", "reader");
      s.auth().enable();
      store.setConsistentIndex(++index);
      store.persistConsistentIndex();
      store.writeImage(image);
      return new MemberState(index, 0, image, s.snapshotData());
    }
  }

  static Map<String, Map<String, byte[]>> seeds() throws Exception {
    Path d = Fuzzing.scratch("backup-seeds");
    try {
      MemberState m = member(d.resolve("member"));
      byte[] data = m.data().encode();
      byte[] img = Files.readAllBytes(m.image());
      ByteArrayOutputStream vbk = new ByteArrayOutputStream();
      vbk.write(BackupFile.prefix(m.index(), data, img.length));
      vbk.write(img);
      byte[] unsigned = vbk.toByteArray();
      vbk.write(BackupFile.digest().digest(unsigned));
      Path db = d.resolve("etcd.db");
      EtcdDbWriter.write(m, db);
      return Map.of(
          "snapshotData", Map.of("member", data, "membership-only", Membership.emptyBytes()),
          "vbk1", Map.of("backup", vbk.toByteArray()),
          "vbk1WithSha", Map.of("backup", unsigned),
          "etcdDb", Map.of("etcdctl-snapshot-save", Files.readAllBytes(db), "small-pages", smallEtcdDb(d)));
    } finally {
      Fuzzing.delete(d);
    }
  }

  /** etcd's buckets in a bbolt file of 512-byte pages: small enough for the fuzzer to mutate quickly. */
  private static byte[] smallEtcdDb(Path d) throws IOException {
    Path f = d.resolve("small.db");
    KeyValue a = KeyValue.newBuilder().setKey(b("a")).setValue(b("1")).setCreateRevision(2).setModRevision(2)
        .setVersion(1).build();
    KeyValue gone = KeyValue.newBuilder().setKey(b("a")).build();
    try (BoltWriter w = new BoltWriter(f, 512)) {
      w.bucket(EtcdDb.AUTH, entries(Map.entry(EtcdDb.AUTH_ENABLED, new byte[] {0}),
          Map.entry(EtcdDb.AUTH_REVISION, EtcdDb.u64(1))));
      w.bucket(EtcdDb.KEY, entries(Map.entry(Revision.etcdBytes(2, 0, false), a.toByteArray()),
          Map.entry(Revision.etcdBytes(3, 0, true), gone.toByteArray())));
      w.bucket(EtcdDb.LEASE, entries(Map.entry(EtcdDb.u64(7), Lease.newBuilder().setID(7).setTTL(60).build()
          .toByteArray())));
      w.bucket(EtcdDb.META, entries(Map.entry(EtcdDb.CONSISTENT_INDEX, EtcdDb.u64(9))));
    }
    return Files.readAllBytes(f);
  }

  @SafeVarargs
  private static Iterator<Map.Entry<byte[], byte[]>> entries(Map.Entry<byte[], byte[]>... e) {
    return List.of(e).iterator();
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
