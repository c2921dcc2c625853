package io.vetch.mvcc;

import static io.vetch.mvcc.StoreFixture.SMALL;
import static io.vetch.mvcc.StoreFixture.b;
import static io.vetch.mvcc.StoreFixture.delete;
import static io.vetch.mvcc.StoreFixture.get;
import static io.vetch.mvcc.StoreFixture.put;
import static io.vetch.mvcc.KvStoreTest.assertKv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.mvccpb.Event;
import io.vetch.api.mvccpb.KeyValue;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvStoreRecoveryTest {
  private static final byte[] ALL = {0};

  @TempDir
  Path dir;

  @Test
  void reopenRestoresEverything() throws Exception {
    List<KeyValue> before;
    List<Event> eventsBefore;
    long size;
    try (KvStore s = KvStore.open(dir, SMALL)) {
      put(s, 1, "a", "1");
      put(s, 2, "a", "2");
      put(s, 3, "b", "1");
      delete(s, 4, "b");
      put(s, 5, "c", "1");
      s.compact(3, 6);
      s.compactStep(100);
      s.setConsistentIndex(7);
      before = s.range(ALL, ALL, 0, 0, false).kvs();
      eventsBefore = s.events(3, 100, 100);
      size = s.sizeBytes();
      s.sync();
    }
    try (KvStore s = KvStore.open(dir, SMALL)) {
      assertEquals(6, s.currentRevision());
      assertEquals(3, s.compactRevision());
      assertEquals(7, s.consistentIndex());
      assertEquals(before, s.range(ALL, ALL, 0, 0, false).kvs());
      assertEquals(eventsBefore, s.events(3, 100, 100));
      assertEquals(size, s.sizeBytes());
      assertEquals(2, s.keyCount());
      assertKv(get(s, "a", 3), "2", 2, 3, 2);
      assertNull(get(s, "b", 5));
      assertEquals(7, put(s, 8, "a", "3"));
      assertKv(get(s, "a", 0), "3", 2, 7, 3);
      assertEquals(8, put(s, 9, "b", "2"));
      assertKv(get(s, "b", 0), "2", 8, 8, 1);
    }
  }

  @Test
  void openFindsTheLeasedLiveKeys() throws Exception {
    try (KvStore s = KvStore.open(dir, SMALL)) {
      assertEquals(List.of(), s.leasedKeysAtOpen(), "a new store has none");
      leasedPut(s, 1, "held", 5);
      leasedPut(s, 2, "dropped", 6);
      put(s, 3, "dropped", "no lease now");
      leasedPut(s, 4, "gone", 7);
      delete(s, 5, "gone");
      put(s, 6, "plain", "v");
    }
    try (KvStore s = KvStore.open(dir, SMALL)) {
      assertEquals(List.of(KeyValue.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8("held")).setLease(5).build()), s.leasedKeysAtOpen());
      put(s, 7, "plain", "w");
      org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, s::leasedKeysAtOpen,
          "not known once the store has moved on");
    }
  }

  @Test
  void reopenKeepsSubRevisionOrderWithinATxn() throws Exception {
    List<Event> events;
    List<KeyValue> kvs;
    try (KvStore s = KvStore.open(dir, SMALL)) {
      for (int rev = 0; rev < 50; rev++) {
        WriteTxn t = s.write(rev + 1);
        for (int k = 0; k < 7; k++) {
          t.put(("k" + (k * 31 + rev) % 13).getBytes(StandardCharsets.UTF_8),
              ("v" + rev + "." + k).getBytes(StandardCharsets.UTF_8), 0);
        }
        t.deleteRange(("k" + rev % 13).getBytes(StandardCharsets.UTF_8), null);
        t.end();
      }
      events = s.events(1, 1000, 100_000);
      kvs = s.range(ALL, ALL, 0, 0, false).kvs();
    }
    try (KvStore s = KvStore.open(dir, SMALL)) {
      assertEquals(kvs, s.range(ALL, ALL, 0, 0, false).kvs());
      assertEquals(events, s.events(1, 1000, 100_000));
    }
  }

  private static void leasedPut(KvStore s, long raftIndex, String key, long lease) {
    WriteTxn t = s.write(raftIndex);
    t.put(key.getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8), lease);
    t.end();
  }

  @Test
  void unfinishedTxnIsDroppedOnOpen() throws Exception {
    List<KeyValue> committed;
    long records;
    try (KvStore s = KvStore.open(dir, SMALL)) {
      put(s, 1, "a", "1");
      put(s, 2, "b", "1");
      committed = s.range(ALL, ALL, 0, 0, false).kvs();
      records = s.revisionCount();
      WriteTxn t = s.write(3); // its records reach the backend, but end() never runs: a crash mid-apply
      t.put(b("a"), b("2"), 0);
      t.put(b("c"), b("1"), 0);
      t.deleteRange(b("b"), null);
      assertEquals(records + 3, s.revisionCount());
    }
    try (KvStore s = KvStore.open(dir, SMALL)) {
      assertEquals(2, s.consistentIndex());
      assertEquals(3, s.currentRevision());
      assertEquals(records, s.revisionCount());
      assertEquals(committed, s.range(ALL, ALL, 0, 0, false).kvs());
      assertEquals(2, s.keyCount());
      // WAL replay of entry 3 gives the same result as the lost apply would have
      WriteTxn t = s.write(3);
      t.put(b("a"), b("2"), 0);
      t.end();
      assertKv(get(s, "a", 0), "2", 2, 4, 2);
    }
  }

  @Test
  void interruptedPhysicalCompactionResumesOnOpen() throws Exception {
    try (KvStore s = KvStore.open(dir, SMALL)) {
      put(s, 1, "a", "1");      // 2
      put(s, 2, "a", "2");      // 3
      delete(s, 3, "a");        // 4
      put(s, 4, "b", "1");      // 5
      put(s, 5, "b", "2");      // 6
      s.compact(5, 6);
      s.compactStep(2);         // deletes a@2 and a@3, leaving a's tombstone as an orphan
      assertEquals(3, s.revisionCount());
    }
    try (KvStore s = KvStore.open(dir, SMALL)) {
      assertEquals(5, s.compactRevision());
      assertEquals(6, s.currentRevision());
      while (!s.compactStep(1)) {
        // drain
      }
      assertEquals(2, s.revisionCount(), "orphan tombstone a@4 deleted; b@5, b@6 kept");
      assertKv(get(s, "b", 5), "1", 5, 5, 1);
      assertKv(get(s, "b", 0), "2", 5, 6, 2);
      assertEquals(1, s.keyCount());
    }
  }

  @Test
  void storeGrowsPastItsSizingEstimate() throws Exception {
    StoreOptions tiny = new StoreOptions(10, 8);
    try (KvStore s = KvStore.open(dir, tiny)) {
      for (int i = 0; i < 5_000; i++) {
        put(s, i + 1, "key-" + (i % 500), "value-" + i);
      }
    }
    try (KvStore s = KvStore.open(dir, tiny)) {
      assertEquals(5_001, s.currentRevision());
      assertEquals(500, s.keyCount());
      assertKv(get(s, "key-7", 0), "value-4507", 9, 4509, 10);
    }
  }

  @Test
  void survivesKillDashNine() throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-") || a.startsWith("-D")).toList());
    cmd.addAll(List.of("-cp", testClassPath(), CrashingWriter.class.getName(), dir.toString()));
    for (int round = 0; round < 2; round++) {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      // watchdog: a stuck child is killed, which ends the blocking read below
      CompletableFuture.delayedExecutor(45, TimeUnit.SECONDS).execute(p::destroyForcibly);
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8))) {
        StringBuilder output = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null && !line.equals("ready")) {
          output.append(line).append('\n');
        }
        assertEquals("ready", line, () -> "child failed before its first txns:\n" + output);
        Thread.sleep(50);
      } finally {
        p.destroyForcibly(); // SIGKILL
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
      }
      try (KvStore s = KvStore.open(dir, SMALL)) {
        long ci = s.consistentIndex();
        assertTrue(ci >= (round + 1L) * CrashingWriter.READY_AFTER, "entries applied: " + ci);
        assertEquals(ci + 1, s.currentRevision(), "one revision per applied entry");
        assertEquals(ci * CrashingWriter.KEYS, s.revisionCount(), "no record of a half-applied entry");
        List<KeyValue> kvs = s.range(ALL, ALL, 0, 0, false).kvs();
        assertEquals(CrashingWriter.KEYS, kvs.size());
        for (KeyValue kv : kvs) {
          assertEquals(Long.toString(ci), kv.getValue().toStringUtf8());
          assertEquals(ci, kv.getVersion());
        }
      }
    }
  }

  /** The class path the tests run with (JUnit's console launcher loads them through a URLClassLoader). */
  private static String testClassPath() {
    List<String> entries = new ArrayList<>();
    for (ClassLoader l = KvStoreRecoveryTest.class.getClassLoader(); l != null; l = l.getParent()) {
      if (l instanceof URLClassLoader u) {
        for (URL url : u.getURLs()) {
          entries.add(url.getPath());
        }
      }
    }
    entries.add(System.getProperty("java.class.path"));
    return String.join(File.pathSeparator, entries);
  }
}
