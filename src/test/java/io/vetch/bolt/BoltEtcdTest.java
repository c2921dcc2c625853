package io.vetch.bolt;

import static io.vetch.bolt.BoltFiles.b;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.testing.EtcdProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bbolt files against the real thing: a snapshot saved by etcd 3.4 (`etcdctl snapshot save`: bbolt's own writer
 * plus a SHA-256 trailer) read by BoltReader, and files written by BoltWriter checked by `etcdctl snapshot status`
 * (bbolt's Tx.Check, then a walk of every bucket) and restored into a working etcd by `etcdctl snapshot restore`.
 */
@Timeout(90)
class BoltEtcdTest {
  private static final int MB = 1 << 20;
  @TempDir static Path dir;
  private static Path snapshot;
  /** What the live keys must be after the puts below. */
  private static final Map<String, String> LIVE = new TreeMap<>();

  @BeforeAll
  static void saveSnapshotOfRealEtcd() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start(dir.resolve("etcd"), EtcdProcess.freePort())) {
      StringBuilder txn = new StringBuilder("\n");
      for (int i = 0; i < 100; i++) {
        String k = String.format("foo/%03d", i);
        txn.append("put ").append(k).append(" value-").append(i).append('\n');
        LIVE.put(k, "value-" + i);
      }
      etcd.ctl(txn.append("\n\n").toString(), "txn");
      etcd.ctl(null, "put", "foo/000", "again");
      LIVE.put("foo/000", "again");
      etcd.ctl(null, "del", "foo/001");
      LIVE.remove("foo/001");
      for (String k : List.of("big/a", "big/b")) {
        String v = big(k);
        etcd.ctl(v, "put", k);
        LIVE.put(k, v);
      }
      String lease = etcd.ctl(null, "lease", "grant", "600").split(" ")[1];
      etcd.ctl(null, "put", "leased", "x", "--lease=" + lease);
      LIVE.put("leased", "x");
      etcd.ctl(null, "user", "add", "root", "--new-user-password=secret");
      etcd.ctl(null, "role", "add", "reader");
      snapshot = dir.resolve("etcd-snapshot.db");
      etcd.ctl(null, "snapshot", "save", snapshot.toString());
    }
  }

  @AfterAll
  static void clear() {
    LIVE.clear();
  }

  @Test
  void readsASnapshotSavedByEtcd() throws IOException {
    long start = System.nanoTime();
    try (BoltReader r = BoltReader.open(snapshot)) {
      assertEquals(r.pageCount() * r.pageSize() + 32, Files.size(snapshot), "bbolt pages + SHA-256 trailer");
      List<String> names = BoltFiles.strings(r.buckets());
      assertTrue(names.containsAll(List.of("alarm", "auth", "authRoles", "authUsers", "cluster", "key", "lease",
          "members", "members_removed", "meta")), names.toString());
      Map<String, KeyValue> live = new TreeMap<>();
      int[] revisions = {0};
      long[] lastMain = {0};
      r.forEach(b("key"), (k, v) -> {
        revisions[0]++;
        ByteBuffer rev = ByteBuffer.wrap(k);
        long main = rev.getLong();
        assertEquals('_', rev.get());
        assertTrue(main >= lastMain[0]);
        lastMain[0] = main;
        KeyValue kv = parse(v);
        if (k.length == 18) {
          assertEquals('t', k[17], "tombstone marker");
          live.remove(kv.getKey().toStringUtf8());
        } else {
          assertEquals(17, k.length);
          assertEquals(main, kv.getModRevision());
          live.put(kv.getKey().toStringUtf8(), kv);
        }
      });
      assertEquals(100 + 1 + 1 + 2 + 1, revisions[0], "puts, the tombstone, the big ones, the leased one");
      Map<String, String> values = new TreeMap<>();
      live.forEach((k, kv) -> values.put(k, kv.getValue().toStringUtf8()));
      assertEquals(LIVE, values);
      assertEquals(2, live.get("foo/000").getVersion());
      assertNotEquals(0, live.get("leased").getLease());
      assertEquals(MB, live.get("big/b").getValue().size());
      KeyValue big = live.get("big/a");
      byte[] revKey = ByteBuffer.allocate(17).putLong(big.getModRevision()).put((byte) '_').putLong(0).array();
      assertArrayEquals(big.toByteArray(), r.get(b("key"), revKey));
      assertNotNull(r.get(b("meta"), b("consistent_index")));
      assertNotNull(r.get(b("authUsers"), b("root")));
      assertNotNull(r.get(b("authRoles"), b("reader")));
      assertEquals(1, count(r, "lease"));
      List<String> inline = new ArrayList<>();
      for (byte[] name : r.buckets()) {
        if (r.isInline(name)) {
          inline.add(new String(name, UTF_8));
        }
      }
      assertTrue(inline.contains("meta") && !inline.contains("key"), "inline buckets: " + inline);
      System.out.printf("etcd snapshot: %d bytes, %d pages of %d, txid %d, freelist page %d with %d free pages;"
          + " buckets %s, inline %s; key depth %d; read in %d ms%n", Files.size(snapshot), r.pageCount(),
          r.pageSize(), r.txid(), r.freelistPage(), r.freePageCount(), counts(r), inline, r.depth(b("key")),
          (System.nanoTime() - start) / 1_000_000);
    }
  }

  @Test
  void hashOfEtcdSnapshotMatchesEtcdctlStatus() throws Exception {
    try (BoltReader r = BoltReader.open(snapshot)) {
      assertEquals(etcdctlStatus(snapshot), SnapshotHash.status(r));
    }
  }

  @Test
  void etcdctlAcceptsAFileWrittenByBoltWriter() throws Exception {
    Random random = new Random(22);
    Map<byte[], NavigableMap<byte[], byte[]>> buckets = new TreeMap<>(java.util.Arrays::compareUnsigned);
    NavigableMap<byte[], byte[]> binary = BoltFiles.sorted();
    for (int i = 0; i < 3000; i++) {
      byte[] k = new byte[1 + random.nextInt(30)];
      random.nextBytes(k);
      byte[] v = new byte[random.nextInt(i % 100 == 0 ? 10_000 : 200)];
      random.nextBytes(v);
      binary.put(k, v);
    }
    buckets.put(new byte[] {0, (byte) 0xFF}, binary);
    NavigableMap<byte[], byte[]> many = BoltFiles.sorted();
    BoltFiles.generated(30_000, 20).forEachRemaining(e -> many.put(e.getKey(), e.getValue()));
    buckets.put(b("many"), many);
    NavigableMap<byte[], byte[]> large = BoltFiles.sorted();
    for (int i = 0; i < 3; i++) {
      large.put(BoltFiles.key(i), BoltFiles.value(i, MB + i));
    }
    buckets.put(b("large"), large);
    buckets.put(b("empty"), BoltFiles.sorted());
    NavigableMap<byte[], byte[]> revs = BoltFiles.sorted();
    for (int i = 1; i <= 7; i++) {
      revs.put(ByteBuffer.allocate(17).putLong(i).put((byte) '_').putLong(0).array(), b("kv" + i));
    }
    buckets.put(b("key"), revs);
    Path f = dir.resolve("written.db");
    BoltFiles.write(f, 4096, buckets);
    long keys = buckets.values().stream().mapToLong(Map::size).sum();
    try (BoltReader r = BoltReader.open(f)) {
      SnapshotHash ours = SnapshotHash.status(r);
      SnapshotHash etcds = etcdctlStatus(f);
      assertEquals(etcds, ours);
      assertEquals(keys, etcds.totalKey());
      assertEquals(7, etcds.revision());
      assertEquals(Files.size(f), etcds.totalSize());
      System.out.printf("BoltWriter file: %d bytes, %d keys, depth of 'many' %d; etcdctl snapshot status: %s%n",
          Files.size(f), keys, r.depth(b("many")), etcds);
    }
  }

  /** Small and large pages, keys longer than a small page (so branch pages overflow too). */
  @ParameterizedTest
  @ValueSource(ints = {512, 65536})
  void etcdctlAcceptsOtherPageSizesAndKeysLongerThanAPage(int pageSize) throws Exception {
    Random random = new Random(pageSize);
    Map<byte[], NavigableMap<byte[], byte[]>> buckets = new TreeMap<>(java.util.Arrays::compareUnsigned);
    NavigableMap<byte[], byte[]> longKeys = BoltFiles.sorted();
    for (int i = 0; i < 300; i++) {
      byte[] k = new byte[1000 + random.nextInt(2000)];
      random.nextBytes(k);
      longKeys.put(k, new byte[random.nextInt(3000)]);
    }
    buckets.put(b("long"), longKeys);
    NavigableMap<byte[], byte[]> many = BoltFiles.sorted();
    BoltFiles.generated(20_000, 10).forEachRemaining(e -> many.put(e.getKey(), e.getValue()));
    buckets.put(b("many"), many);
    Path f = dir.resolve("pages-" + pageSize + ".db");
    BoltFiles.write(f, pageSize, buckets);
    try (BoltReader r = BoltReader.open(f)) {
      SnapshotHash etcds = etcdctlStatus(f);
      assertEquals(etcds, SnapshotHash.status(r));
      assertEquals(20_300, etcds.totalKey());
      System.out.printf("page size %d: %d bytes, depth of 'long' %d, of 'many' %d; etcdctl: %s%n", pageSize,
          Files.size(f), r.depth(b("long")), r.depth(b("many")), etcds);
    }
  }

  @Test
  void copyOfEtcdSnapshotByBoltWriterRestoresIntoAWorkingEtcd() throws Exception {
    Path copy = dir.resolve("copy.db");
    try (BoltReader r = BoltReader.open(snapshot); BoltWriter w = new BoltWriter(copy, r.pageSize())) {
      for (byte[] name : r.buckets()) {
        NavigableMap<byte[], byte[]> m = BoltFiles.sorted();
        r.forEach(name, (k, v) -> m.put(k, v));
        w.bucket(name, m.entrySet().iterator());
      }
    }
    assertEquals(etcdctlStatus(snapshot).hash(), etcdctlStatus(copy).hash(), "same buckets, keys and values");
    byte[] sha = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(copy));
    Files.write(copy, sha, StandardOpenOption.APPEND);
    int peer = EtcdProcess.freePort();
    Path restored = dir.resolve("restored");
    EtcdProcess.ctlOffline("snapshot", "restore", copy.toString(), "--name", "t", "--data-dir", restored.toString(),
        "--initial-cluster", "t=http://127.0.0.1:" + peer, "--initial-advertise-peer-urls",
        "http://127.0.0.1:" + peer);
    try (EtcdProcess etcd = EtcdProcess.start(restored, peer)) {
      assertEquals("again\n", etcd.ctl(null, "get", "foo/000", "--print-value-only"));
      assertEquals("value-99\n", etcd.ctl(null, "get", "foo/099", "--print-value-only"));
      assertEquals("", etcd.ctl(null, "get", "foo/001", "--print-value-only"));
      assertEquals(LIVE.get("big/b") + "\n", etcd.ctl(null, "get", "big/b", "--print-value-only"));
      assertEquals(String.join("\n\n", LIVE.keySet()) + "\n\n",
          etcd.ctl(null, "get", "", "--prefix", "--keys-only"));
    }
  }

  /** `etcdctl snapshot status -w json` of a file. */
  static SnapshotHash etcdctlStatus(Path file) throws IOException, InterruptedException {
    String json = EtcdProcess.ctlOffline("snapshot", "status", file.toString(), "-w", "json");
    return new SnapshotHash(field(json, "hash"), field(json, "revision"), field(json, "totalKey"),
        field(json, "totalSize"));
  }

  private static long field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
    assertTrue(m.find(), name + " in " + json);
    return Long.parseLong(m.group(1));
  }

  private static String big(String key) {
    StringBuilder s = new StringBuilder(MB);
    while (s.length() < MB) {
      s.append(key).append(' ').append(s.length()).append('\n');
    }
    s.setLength(MB);
    return s.toString();
  }

  private static KeyValue parse(byte[] v) {
    try {
      return KeyValue.parseFrom(v);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static int count(BoltReader r, String bucket) throws BoltFormatException {
    int[] n = {0};
    r.forEach(b(bucket), (k, v) -> n[0]++);
    return n[0];
  }

  private static Map<String, Integer> counts(BoltReader r) throws BoltFormatException {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (String name : BoltFiles.strings(r.buckets())) {
      m.put(name, count(r, name));
    }
    return m;
  }
}
