package io.vetch.mvcc;

import static io.vetch.mvcc.StoreFixture.SMALL;
import static io.vetch.mvcc.StoreFixture.b;
import static io.vetch.mvcc.StoreFixture.delete;
import static io.vetch.mvcc.StoreFixture.get;
import static io.vetch.mvcc.StoreFixture.keys;
import static io.vetch.mvcc.StoreFixture.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.mvccpb.Event;
import io.vetch.api.mvccpb.KeyValue;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvStoreTest {
  @TempDir
  Path dir;
  KvStore store;

  @BeforeEach
  void open() throws Exception {
    store = KvStore.open(dir, SMALL);
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  @Test
  void emptyStoreIsAtRevisionOne() throws Exception {
    assertEquals(1, store.currentRevision());
    assertEquals(0, store.compactRevision());
    assertEquals(0, store.consistentIndex());
    RangeResult r = store.range(new byte[] {0}, new byte[] {0}, 0, 0, false);
    assertEquals(List.of(), r.kvs());
    assertEquals(1, r.rev());
    assertEquals(0, r.count());
  }

  @Test
  void heldTxnsAreBuiltOnButUnseenUntilReleased() throws Exception {
    put(store, 1, "a", "1");
    store.persistConsistentIndex();
    store.hold();
    assertEquals(3, put(store, 2, "b", "1"));
    assertEquals(4, put(store, 3, "a", "2"), "the next txn builds on the held one");
    assertEquals(2, store.currentRevision());
    assertEquals(1, store.keyCount());
    assertEquals("1", get(store, "a", 0).getValue().toStringUtf8());
    assertNull(get(store, "b", 0));
    assertThrows(FutureRevisionException.class, () -> get(store, "b", 3));
    assertThrows(IllegalStateException.class, store::persistConsistentIndex);
    assertThrows(IllegalStateException.class, () -> store.compact(2, 4));
    store.release();
    assertEquals(4, store.currentRevision());
    assertEquals(2, store.keyCount());
    assertEquals("2", get(store, "a", 0).getValue().toStringUtf8());
    assertEquals("1", get(store, "b", 3).getValue().toStringUtf8());
    store.persistConsistentIndex();
  }

  @Test
  void heldTxnsLostToACrashAreGoneAtOpen() throws Exception {
    put(store, 1, "a", "1");
    store.persistConsistentIndex();
    store.hold();
    put(store, 2, "b", "1");
    store.abandon(); // the member failed before the WAL write that covers index 2 was durable
    store = KvStore.open(dir, SMALL);
    assertEquals(2, store.currentRevision());
    assertEquals(1, store.consistentIndex());
    assertNull(get(store, "b", 0));
    assertEquals(3, put(store, 2, "c", "1"), "index 2 is replayed from the WAL as written there");
  }

  @Test
  void putOverwriteDeleteRecreateFollowGenerations() throws Exception {
    assertEquals(2, put(store, 1, "a", "1"));
    assertEquals(3, put(store, 2, "a", "2"));
    assertEquals(1, delete(store, 3, "a"));
    assertEquals(5, put(store, 4, "a", "3"));
    assertEquals(5, store.currentRevision());
    assertEquals(4, store.consistentIndex());

    assertKv(get(store, "a", 2), "1", 2, 2, 1);
    assertKv(get(store, "a", 3), "2", 2, 3, 2);
    assertNull(get(store, "a", 4), "deleted at 4");
    assertKv(get(store, "a", 5), "3", 5, 5, 1);
    assertKv(get(store, "a", 0), "3", 5, 5, 1);
    assertNull(get(store, "a", 1), "not yet created at 1");
    assertEquals(1, store.keyCount());
  }

  @Test
  void deletingMissingKeyOrEmptyTxnDoesNotBumpRevision() throws Exception {
    put(store, 1, "a", "1");
    assertEquals(0, delete(store, 2, "zz"));
    assertEquals(2, store.currentRevision());
    WriteTxn t = store.write(3);
    assertEquals(2, t.revision());
    assertEquals(List.of(), t.end());
    assertEquals(2, store.currentRevision());
    assertEquals(3, store.consistentIndex());
    store.setConsistentIndex(4);
    assertEquals(4, store.consistentIndex());
    assertEquals(1, delete(store, 5, "a"));
    assertEquals(0, delete(store, 6, "a"));
    assertEquals(3, store.currentRevision());
    assertEquals(0, store.keyCount());
  }

  @Test
  void rangeForms() throws Exception {
    for (String k : List.of("a", "ab", "abc", "b", "ba", "c")) {
      put(store, 1, k, "v" + k);
    }
    assertEquals(List.of("ab"), keys(store.range(b("ab"), null, 0, 0, false)));
    assertEquals(List.of("ab"), keys(store.range(b("ab"), new byte[0], 0, 0, false)));
    assertEquals(List.of(), keys(store.range(b("zz"), null, 0, 0, false)));
    assertEquals(List.of("ab", "abc"), keys(store.range(b("ab"), b("ac"), 0, 0, false)), "prefix [ab, ac)");
    assertEquals(List.of("b", "ba", "c"), keys(store.range(b("b"), new byte[] {0}, 0, 0, false)), "from key");
    assertEquals(List.of("a", "ab", "abc", "b", "ba", "c"),
        keys(store.range(new byte[] {0}, new byte[] {0}, 0, 0, false)), "all keys");
    assertEquals(List.of(), keys(store.range(b("c"), b("a"), 0, 0, false)), "end before key");
  }

  @Test
  void keysSortUnsigned() throws Exception {
    put(store, 1, "\u007f", "low");
    WriteTxn t = store.write(2);
    t.put(new byte[] {(byte) 0xff}, b("high"), 0);
    t.end();
    RangeResult r = store.range(new byte[] {0}, new byte[] {0}, 0, 0, false);
    assertEquals(2, r.kvs().size());
    assertEquals((byte) 0xff, r.kvs().get(1).getKey().byteAt(0), "0xff sorts after 0x7f");
  }

  @Test
  void limitCountAndCountOnly() throws Exception {
    for (String k : List.of("k1", "k2", "k3", "k4")) {
      put(store, 1, k, "v");
    }
    delete(store, 2, "k2");
    RangeResult r = store.range(b("k"), b("l"), 0, 2, false);
    assertEquals(List.of("k1", "k3"), keys(r));
    assertEquals(3, r.count());
    assertEquals(6, r.rev());
    RangeResult c = store.range(b("k"), b("l"), 0, 0, true);
    assertEquals(List.of(), c.kvs());
    assertEquals(3, c.count());
    RangeResult old = store.range(b("k"), b("l"), 4, 1, false);
    assertEquals(List.of("k1"), keys(old));
    assertEquals(3, old.count(), "k1..k3 existed at revision 4");
    assertEquals(6, old.rev(), "header revision is the current one");
  }

  @Test
  void multiOpTxnSharesOneRevisionAndReadsItsOwnWrites() throws Exception {
    put(store, 1, "x", "0");
    WriteTxn t = store.write(2);
    assertEquals(3, t.put(b("a"), b("1"), 7));
    assertEquals(3, t.put(b("b"), b("1"), 0));
    assertEquals(3, t.put(b("a"), b("2"), 7));
    assertEquals(3, t.revision());
    RangeResult own = t.range(b("a"), null, 0, 0, false);
    assertKv(own.kvs().get(0), "2", 3, 3, 2);
    assertEquals(3, own.rev());
    assertThrows(FutureRevisionException.class, () -> t.range(b("a"), null, 4, 0, false));
    assertEquals(1, t.deleteRange(b("x"), null));
    assertEquals(2, store.currentRevision(), "not visible before end");
    assertNull(get(store, "a", 0));
    assertKv(get(store, "x", 0), "0", 2, 2, 1);

    List<Event> events = t.end();
    assertEquals(3, store.currentRevision());
    assertEquals(4, events.size());
    assertEquals(Event.EventType.PUT, events.get(0).getType());
    assertEquals(7, events.get(0).getKv().getLease());
    assertKv(events.get(2).getKv(), "2", 3, 3, 2);
    assertEquals(Event.EventType.DELETE, events.get(3).getType());
    assertEquals("x", events.get(3).getKv().getKey().toStringUtf8());
    assertEquals(3, events.get(3).getKv().getModRevision());
    assertThrows(IllegalStateException.class, t::end);

    List<Event> stored = store.events(3, 3, 100);
    assertEquals(events, stored, "stored events match the txn's own, in sub order");
    assertEquals(2, store.keyCount());
  }

  @Test
  void futureRevisionRejected() {
    put(store, 1, "a", "1");
    assertThrows(FutureRevisionException.class, () -> store.range(b("a"), null, 3, 0, false));
  }

  @Test
  void eventsInRevisionOrderWithoutSplittingARevision() throws Exception {
    put(store, 1, "a", "1");                    // rev 2
    WriteTxn t = store.write(2);                // rev 3: two puts
    t.put(b("b"), b("1"), 0);
    t.put(b("c"), b("1"), 0);
    t.end();
    delete(store, 3, "a");                      // rev 4
    put(store, 4, "a", "2");                    // rev 5

    List<Event> all = store.events(1, 100, 100);
    assertEquals(List.of("PUT a 2", "PUT b 3", "PUT c 3", "DELETE a 4", "PUT a 5"),
        all.stream().map(KvStoreTest::describe).toList());
    assertEquals(List.of("PUT a 2"), store.events(2, 3, 2).stream().map(KvStoreTest::describe).toList(),
        "revision 3 would exceed the cap");
    assertEquals(2, store.events(3, 3, 1).size(), "the first revision is returned whole");
    assertEquals(List.of("DELETE a 4"), store.events(4, 4, 10).stream().map(KvStoreTest::describe).toList());
  }

  @Test
  void writerChecks() {
    WriteTxn t = store.write(1);
    assertThrows(IllegalStateException.class, () -> store.write(2), "one txn at a time");
    assertThrows(IllegalArgumentException.class, () -> t.put(new byte[0], b("v"), 0));
    t.end();
    assertThrows(IllegalStateException.class, () -> t.put(b("a"), b("v"), 0));
  }

  static String describe(Event e) {
    return e.getType() + " " + e.getKv().getKey().toStringUtf8() + " " + e.getKv().getModRevision();
  }

  static void assertKv(KeyValue kv, String value, long create, long mod, long version) {
    assertTrue(kv != null, "kv present");
    assertEquals(value, kv.getValue().toStringUtf8());
    assertEquals(create, kv.getCreateRevision(), "create_revision");
    assertEquals(mod, kv.getModRevision(), "mod_revision");
    assertEquals(version, kv.getVersion(), "version");
  }
}
