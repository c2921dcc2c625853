package io.vetch.server.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.authpb.Permission;
import io.vetch.api.etcdserverpb.AlarmType;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.leasepb.Lease;
import io.vetch.api.mvccpb.Event;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.api.raftpb.ConfChange;
import io.vetch.api.raftpb.ConfChangeType;
import io.vetch.bolt.BoltReader;
import io.vetch.bolt.BoltWriter;
import io.vetch.bolt.SnapshotHash;
import io.vetch.mvcc.KvHash;
import io.vetch.mvcc.KvStore;
import io.vetch.mvcc.RangeResult;
import io.vetch.mvcc.Revision;
import io.vetch.mvcc.StoreOptions;
import io.vetch.mvcc.WriteTxn;
import io.vetch.server.base.DataDir;
import io.vetch.testing.EtcdProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member's state (history with overwrites, deletes, a txn and a compaction whose deletes are still pending, a
 * lease, a member, an alarm, auth with users and roles) through etcd's backup format and back: the file holds etcd's
 * buckets and encodings, and a member restored from it serves the same history and hashes. Damaged, truncated and
 * foreign files are refused with the damage named and nothing restored. The real etcd's side is in
 * src/test/e2e/etcd-migration.sh.
 */
class EtcdDbTest {
  private static final StoreOptions OPTS = new StoreOptions(1_000, 32);
  private static final long INDEX = 20;
  private static final long LEASE = 0x694d7b4f1a2b3c4dL;
  private static final long COMPACTED = 7;

  @TempDir Path tmp;
  private KvStore store;
  private SnapshotData data;
  private Path image;
  private final List<KvStore> open = new ArrayList<>();

  @BeforeEach
  void member() throws Exception {
    DataDir d = new DataDir(tmp.resolve("member"));
    Files.createDirectories(d.memberDir());
    store = open(d);
    SnapshotRestore.Stores s = SnapshotRestore.Stores.load(d, 1, List.of());
    put(1, "a", "1", 0);
    put(2, "a", "2", 0);
    put(3, "b", "1", 0);
    put(4, "gone", "x", 0);
    delete(5, "gone");
    put(6, "c", "1", 0);
    store.compact(COMPACTED, 7); // its physical deletes stay pending: no compactStep
    WriteTxn t = store.write(8);
    t.put(bytes("t1"), bytes("x"), 0);
    t.put(bytes("t2"), bytes("y"), 0);
    t.deleteRange(bytes("c"), null);
    t.end();
    s.lessor().grant(LEASE, 600);
    KeyValue leased = put(9, "l/1", "one", LEASE);
    s.lessor().onEvents(List.of(Event.newBuilder().setType(Event.EventType.PUT).setKv(leased).build()));
    s.lessor().checkpoint(LEASE, 300);
    delete(10, "b");
    s.membership().applyConfChange(ConfChange.newBuilder().setType(ConfChangeType.ConfChangeAddNode)
        .setNodeId(0xfedcba9876543210L).setContext(Member.newBuilder().setName("m<1>").addPeerURLs("http://m1:2380")
            .addClientURLs("http://m1:2379").build().toByteString()).build(), 11);
    s.alarms().activate(0xfedcba9876543210L, AlarmType.NOSPACE);
    s.auth().roleAdd("root");
    s.auth().roleAdd("reader");
    s.auth().roleGrantPermission("reader", Permission.newBuilder().setPermType(Permission.Type.READ)
        .setKey(ByteString.copyFromUtf8("a")).build());
    s.auth().userAdd("root", bytes("$2a$10$hash"), false);
    s.auth().userGrantRole("root", "root");
    s.auth().userAdd("alice", null, true);
    s.auth().userGrantRole("alice", "reader");
    s.auth().enable();
    store.setConsistentIndex(INDEX);
    store.persistConsistentIndex();
    image = store.writeImage(tmp.resolve("member.image"));
    data = s.snapshotData();
  }

  @AfterEach
  void close() throws IOException {
    for (KvStore s : open) {
      s.close();
    }
  }

  @Test
  void writesEtcdsBucketsAndEncodings() throws Exception {
    Path db = tmp.resolve("backup.db");
    EtcdDbWriter.write(new MemberState(INDEX, 0, image, data), db);
    try (BoltReader r = BoltReader.open(db)) {
      assertEquals(List.of("alarm", "auth", "authRoles", "authUsers", "cluster", "key", "lease", "members",
          "members_removed", "meta"), r.buckets().stream().map(EtcdDbTest::string).toList());
      List<String> revisions = new ArrayList<>();
      List<KeyValue> values = new ArrayList<>();
      r.forEach(EtcdDb.KEY, (k, v) -> {
        ByteBuffer b = ByteBuffer.wrap(k);
        assertEquals('_', k[8]);
        revisions.add(b.getLong(0) + "_" + b.getLong(9) + (k.length == 18 ? String.valueOf((char) k[17]) : ""));
        values.add(parse(v));
      });
      // at or below the compaction (7) only the revisions of the keys alive there (a@3, b@4, c@7): a@2, gone@5 and
      // its tombstone@6 are left out, as etcd's finished compaction leaves them
      assertEquals(List.of("3_0", "4_0", "7_0", "8_0", "8_1", "8_2t", "9_0", "10_0t"), revisions);
      assertEquals(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("c")).build(), values.get(5),
          "etcd's tombstone holds the key alone");
      assertEquals(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("t1")).setValue(ByteString.copyFromUtf8("x"))
          .setCreateRevision(8).setModRevision(8).setVersion(1).build(), values.get(3));
      assertArrayEquals(EtcdDb.u64(INDEX), r.get(EtcdDb.META, EtcdDb.CONSISTENT_INDEX));
      assertArrayEquals(Revision.etcdBytes(COMPACTED, 0, false), r.get(EtcdDb.META, EtcdDb.FINISHED_COMPACT_REV));
      assertArrayEquals(Revision.etcdBytes(COMPACTED, 0, false), r.get(EtcdDb.META, EtcdDb.SCHEDULED_COMPACT_REV));
      assertEquals(Lease.newBuilder().setID(LEASE).setTTL(600).setRemainingTTL(300).build(),
          Lease.parseFrom(r.get(EtcdDb.LEASE, EtcdDb.u64(LEASE))));
      assertEquals("{\"id\":18364758544493064720,\"peerURLs\":[\"http://m1:2380\"],\"name\":\"m\\u003c1\\u003e\","
          + "\"clientURLs\":[\"http://m1:2379\"]}", string(r.get(EtcdDb.MEMBERS, bytes("fedcba9876543210"))));
      assertArrayEquals(new byte[] {1}, r.get(EtcdDb.AUTH, EtcdDb.AUTH_ENABLED));
      assertEquals("reader", io.vetch.api.authpb.User.parseFrom(r.get(EtcdDb.AUTH_USERS, bytes("alice")))
          .getRoles(0));
      assertEquals("3.4.0", string(r.get(EtcdDb.CLUSTER, EtcdDb.CLUSTER_VERSION)));
      int[] alarms = {0};
      r.forEach(EtcdDb.ALARM, (k, v) -> alarms[0]++);
      assertEquals(1, alarms[0]);
    }
  }

  @Test
  void restoresTheSameHistoryLeasesAndAuth() throws Exception {
    Path backup = backup();
    Path restoredDir = tmp.resolve("restored");
    BackupFile.restore(backup, restoredDir);
    DataDir d = new DataDir(restoredDir);
    KvStore restored = open(d);
    assertEquals(store.currentRevision(), restored.currentRevision());
    assertEquals(COMPACTED, restored.compactRevision());
    for (long rev = COMPACTED; rev <= store.currentRevision(); rev++) {
      assertEquals(all(store, rev), all(restored, rev), "at revision " + rev);
    }
    assertEquals(store.events(COMPACTED + 1, store.currentRevision(), 100),
        restored.events(COMPACTED + 1, store.currentRevision(), 100), "the same events, deletes with revisions");
    assertEquals(KvHash.compute(store, 0), KvHash.compute(restored, 0));
    SnapshotRestore.Stores s = SnapshotRestore.Stores.load(d, 1, restored.leasedKeysAtOpen());
    assertEquals(600, s.lessor().get(LEASE).ttl);
    assertEquals(List.of(ByteString.copyFromUtf8("l/1")), s.lessor().get(LEASE).keys());
    assertTrue(s.auth().enabled());
    assertEquals(AuthRev.of(data), s.auth().revision());
    assertEquals(List.of("reader"), s.auth().userGet("alice"));
    assertEquals(List.of("reader", "root"), s.auth().roleList());
    assertEquals("a", s.auth().roleGet("reader").get(0).getKey().toStringUtf8());
    assertFalse(Files.exists(d.membersFile()), "the new cluster's --initial-cluster makes the membership");
    BackupFile.Status st = BackupFile.status(backup);
    assertEquals(store.currentRevision(), st.revision());
    assertEquals(Files.size(backup) - EtcdDb.SHA256_BYTES, st.totalSize());
  }

  /** The auth revision the snapshot data carries. */
  private static final class AuthRev {
    static long of(SnapshotData d) throws IOException {
      return io.vetch.server.auth.AuthStore.decodeSaved(d.auth()).revision();
    }
  }

  @Test
  void hashKvIsEtcdsHashByRevOverTheBackend() throws Exception {
    Path db = tmp.resolve("backup.db");
    EtcdDbWriter.write(new MemberState(INDEX, 0, image, data), db);
    // etcd's HashByRev at 10, compacted at 7: "key", then every revision above 7 and, at or below it, those in
    // effect at 10 (kvindex.Keep(10)): a@3 only (b and c were deleted after 7)
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(EtcdDb.KEY);
    try (BoltReader r = BoltReader.open(db)) {
      r.forEach(EtcdDb.KEY, (k, v) -> {
        long main = ByteBuffer.wrap(k).getLong(0);
        if (main > COMPACTED || main == 3) {
          crc.update(k);
          crc.update(v);
        }
      });
    }
    assertEquals(new KvHash.Result((int) crc.getValue(), 10, COMPACTED), KvHash.compute(store, 0));
  }

  @Test
  void vetchsOwnOlderBackupsAreStillRead() throws Exception {
    Path old = tmp.resolve("old.vbk"); // VBK1: what Maintenance.Snapshot streamed before etcd's format
    try (OutputStream out = Files.newOutputStream(old)) {
      java.security.MessageDigest sha = BackupFile.digest();
      byte[] prefix = BackupFile.prefix(INDEX, data.encode(), Files.size(image));
      byte[] img = Files.readAllBytes(image);
      sha.update(prefix);
      sha.update(img);
      out.write(prefix);
      out.write(img);
      out.write(sha.digest());
    }
    BackupFile.Status st = BackupFile.status(old);
    assertEquals(KvHash.compute(store, 0).hash(), st.hash(), "a VBK1 status shows its HashKV");
    assertEquals(store.currentRevision(), st.revision());
    BackupFile.restore(old, tmp.resolve("from-old"));
    KvStore restored = open(new DataDir(tmp.resolve("from-old")));
    assertEquals(all(store, 0), all(restored, 0));
    assertEquals(KvHash.compute(store, 0), KvHash.compute(restored, 0));
  }

  @Test
  void damagedTruncatedAndForeignFilesAreRefusedAndNothingIsRestored() throws Exception {
    byte[] good = Files.readAllBytes(backup());
    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 1;
    refused(flipped, "SHA-256 mismatch", false);
    refused(java.util.Arrays.copyOf(good, good.length / 2), "snapshot missing hash", false);
    refused(java.util.Arrays.copyOf(good, good.length - 32), "snapshot missing hash", false);
    byte[] shorter = new byte[good.length - 4096];
    System.arraycopy(good, 0, shorter, 0, shorter.length - 32);
    System.arraycopy(good, good.length - 32, shorter, shorter.length - 32, 32);
    refused(shorter, "SHA-256 mismatch", false);
    refused(shorter, "not an etcd snapshot (invalid database", true);
    byte[] noise = new byte[8192 + 32];
    new java.util.Random(1).nextBytes(noise);
    refused(noise, "not an etcd snapshot (invalid database", true);
    Path foreign = tmp.resolve("foreign.db"); // a valid bbolt file that is no etcd backend
    try (BoltWriter w = new BoltWriter(foreign)) {
      w.bucket(bytes("other"), List.of(Map.entry(bytes("k"), bytes("v"))).iterator());
    }
    refused(Files.readAllBytes(foreign), "without the \"key\" bucket", true);
    refused(etcdLike(Map.entry(bytes("not a revision"), KeyValue.getDefaultInstance().toByteArray())),
        "bad revision key 6e6f", true);
    refused(etcdLike(Map.entry(Revision.etcdBytes(2, 0, false), new byte[] {(byte) 0xff, 1})),
        "unreadable KeyValue at revision 2_0", true);
    IOException e = assertThrows(IOException.class, () -> BackupFile.status(foreign));
    assertTrue(e.getMessage().contains("without the \"key\" bucket"), e.getMessage());
  }

  @Test
  void aHundredThousandKeysAndMegabyteValuesTakeSeconds() throws Exception {
    DataDir d = new DataDir(tmp.resolve("large"));
    Files.createDirectories(d.memberDir());
    KvStore large = KvStore.open(d.storeDir(), new StoreOptions(200_000, 64));
    open.add(large);
    for (int batch = 0; batch < 100; batch++) {
      WriteTxn t = large.write(batch + 1);
      for (int i = 0; i < 1000; i++) {
        t.put(bytes(String.format("key/%06d", batch * 1000 + i)), bytes("value-" + i), 0);
      }
      t.end();
    }
    byte[] mb = new byte[1 << 20];
    new java.util.Random(2).nextBytes(mb);
    for (int i = 0; i < 5; i++) {
      WriteTxn t = large.write(101 + i);
      t.put(bytes("big/" + i), mb, 0);
      t.end();
    }
    large.setConsistentIndex(105);
    large.persistConsistentIndex();
    Path img = large.writeImage(tmp.resolve("large.image"));
    long start = System.nanoTime();
    Path db = tmp.resolve("large.db");
    // No alarms in this member (the shared data set's NOSPACE would make the restored etcd report unhealthy).
    SnapshotData plain = SnapshotRestore.Stores.load(d, 1, List.of()).snapshotData();
    EtcdDbWriter.write(new MemberState(105, 0, img, plain), db);
    BackupFile.restore(db, tmp.resolve("large-restored"), true);
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    assertTrue(seconds < 30, "export and restore took " + seconds + " s");
    KvStore restored = open(new DataDir(tmp.resolve("large-restored")));
    assertEquals(100_005, restored.keyCount());
    assertEquals(large.currentRevision(), restored.currentRevision());
    assertArrayEquals(mb, restored.range(bytes("big/4"), null, 0, 0, false).kvs().get(0).getValue().toByteArray());
    assertEquals(KvHash.compute(large, 0), KvHash.compute(restored, 0));

    // The same file through the real tools: etcdctl's status agrees with ours, and an etcd 3.4 restored from it
    // serves every key, with etcd's own HashKV equal to vetch's.
    SnapshotHash ours;
    try (BoltReader r = BoltReader.open(db)) {
      ours = SnapshotHash.status(r);
    }
    String status = EtcdProcess.ctlOffline("snapshot", "status", db.toString(), "-w", "json");
    assertEquals(ours.hash(), number(status, "hash"), status);
    assertEquals(large.currentRevision(), number(status, "revision"), status);
    assertEquals(ours.totalKey(), number(status, "totalKey"), status);
    int peerPort = EtcdProcess.freePort();
    Path etcdDir = tmp.resolve("etcd");
    EtcdProcess.ctlOffline("snapshot", "restore", db.toString(), "--skip-hash-check", "--data-dir", etcdDir.toString(),
        "--name", "t", "--initial-cluster", "t=http://127.0.0.1:" + peerPort, "--initial-advertise-peer-urls",
        "http://127.0.0.1:" + peerPort);
    try (EtcdProcess etcd = EtcdProcess.start(etcdDir, peerPort)) {
      assertEquals(100_000, number(etcd.ctl(null, "get", "key/", "--prefix", "--limit", "1", "-w", "json"), "count"));
      assertEquals(Integer.toUnsignedLong(KvHash.compute(large, 0).hash()),
          number(etcd.ctl(null, "endpoint", "hashkv", "-w", "json"), "hash"));
    }
  }

  /** The first number field named name in etcdctl's JSON output. */
  private static long number(String json, String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
    assertTrue(m.find(), name + " in " + json);
    return Long.parseLong(m.group(1));
  }

  /** A bbolt file with etcd's "key" and "meta" buckets, one entry in "key". */
  private byte[] etcdLike(Map.Entry<byte[], byte[]> key) throws IOException {
    Path f = tmp.resolve("etcd-like.db");
    try (BoltWriter w = new BoltWriter(f)) {
      w.bucket(EtcdDb.KEY, List.of(key).iterator());
      w.bucket(EtcdDb.META, List.of(Map.entry(EtcdDb.CONSISTENT_INDEX, EtcdDb.u64(1))).iterator());
    }
    return Files.readAllBytes(f);
  }

  private void refused(byte[] file, String what, boolean skipHashCheck) throws IOException {
    Path f = tmp.resolve("bad.db");
    Files.write(f, file);
    Path target = tmp.resolve("bad");
    IOException e = assertThrows(IOException.class, () -> BackupFile.restore(f, target, skipHashCheck));
    assertTrue(e.getMessage().contains(what), e.getMessage());
    assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
    assertFalse(Files.exists(target), "nothing restored");
  }

  /** The backup Maintenance.Snapshot streams: the bbolt file and its SHA-256. */
  private Path backup() throws IOException {
    Path db = tmp.resolve("backup.db");
    EtcdDbWriter.write(new MemberState(INDEX, 0, image, data), db);
    byte[] sha = BackupFile.digest().digest(Files.readAllBytes(db));
    try (OutputStream out = Files.newOutputStream(db, java.nio.file.StandardOpenOption.APPEND)) {
      out.write(sha);
    }
    return db;
  }

  private static List<KeyValue> all(KvStore s, long rev) throws Exception {
    RangeResult r = s.range(new byte[] {0}, new byte[] {0}, rev, 0, false);
    return r.kvs();
  }

  private KvStore open(DataDir d) throws IOException {
    KvStore s = KvStore.open(d.storeDir(), OPTS);
    open.add(s);
    return s;
  }

  private KeyValue put(long index, String key, String value, long lease) {
    WriteTxn t = store.write(index);
    t.put(bytes(key), bytes(value), lease);
    t.end();
    return KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(key)).setLease(lease).build();
  }

  private void delete(long index, String key) {
    WriteTxn t = store.write(index);
    t.deleteRange(bytes(key), null);
    t.end();
  }

  private static KeyValue parse(byte[] v) {
    try {
      return KeyValue.parseFrom(v);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String string(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
