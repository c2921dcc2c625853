package io.vetch.mvcc;

import static io.vetch.mvcc.StoreFixture.SMALL;
import static io.vetch.mvcc.StoreFixture.b;
import static io.vetch.mvcc.StoreFixture.delete;
import static io.vetch.mvcc.StoreFixture.get;
import static io.vetch.mvcc.StoreFixture.keys;
import static io.vetch.mvcc.StoreFixture.put;
import static io.vetch.mvcc.KvStoreTest.assertKv;
import static io.vetch.mvcc.KvStoreTest.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvStoreCompactionTest {
  @TempDir
  Path dir;
  KvStore store;

  @BeforeEach
  void open() throws Exception {
    store = KvStore.open(dir, SMALL);
    // a: put@2 put@3 delete@5; b: put@4 put@7; c: put@6; d: put@8 delete@9
    put(store, 1, "a", "a1");
    put(store, 2, "a", "a2");
    put(store, 3, "b", "b1");
    delete(store, 4, "a");
    put(store, 5, "c", "c1");
    put(store, 6, "b", "b2");
    put(store, 7, "d", "d1");
    delete(store, 8, "d");
    assertEquals(9, store.currentRevision());
    assertEquals(8, store.revisionCount());
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  @Test
  void compactValidatesRevision() throws Exception {
    assertThrows(FutureRevisionException.class, () -> store.compact(10, 9));
    store.compact(7, 9);
    assertEquals(7, store.compactRevision());
    assertEquals(9, store.consistentIndex());
    assertThrows(CompactedException.class, () -> store.compact(7, 10));
    CompactedException e = assertThrows(CompactedException.class, () -> store.compact(3, 10));
    assertEquals(7, e.compactRevision());
    assertEquals("mvcc: required revision has been compacted", e.getMessage());
  }

  @Test
  void readsBelowFailAndReadsAtOrAboveStayExact() throws Exception {
    store.compact(7, 9);
    assertThrows(CompactedException.class, () -> store.range(b("b"), null, 6, 0, false));
    assertThrows(CompactedException.class, () -> store.events(6, 9, 10));
    RangeResult at7 = store.range(new byte[] {0}, new byte[] {0}, 7, 0, false);
    assertEquals(List.of("b", "c"), keys(at7));
    assertKv(at7.kvs().get(0), "b2", 4, 7, 2);
    assertEquals(List.of("b", "c", "d"), keys(store.range(new byte[] {0}, new byte[] {0}, 8, 0, false)));
    assertEquals(List.of("b", "c"), keys(store.range(new byte[] {0}, new byte[] {0}, 0, 0, false)));
    assertEquals(2, store.keyCount());

    assertEquals(List.of("PUT b 7", "PUT d 8", "DELETE d 9"),
        store.events(7, 9, 10).stream().map(KvStoreTest::describe).toList());
  }

  @Test
  void physicalDeletesRunInBoundedSteps() throws Exception {
    long sizeBefore = store.sizeBytes();
    store.compact(7, 9);
    assertEquals(8, store.revisionCount(), "index trimmed, backend untouched until compactStep");
    assertFalse(store.compactStep(3));
    assertEquals(5, store.revisionCount());
    assertTrue(store.compactStep(3));
    assertEquals(4, store.revisionCount(), "kept: b@7, c@6, d@8, tombstone d@9");
    assertTrue(store.compactStep(3), "nothing left");
    assertTrue(store.sizeBytes() < sizeBefore);
    assertKv(get(store, "c", 7), "c1", 6, 6, 1);
  }

  @Test
  void compactRevisionWithoutDeletesStaysWatchable() throws Exception {
    assertEquals(1, store.firstCompleteRevision());
    store.compact(8, 9);
    assertEquals(8, store.firstCompleteRevision(), "revision 8 was a put: all of its events survive");
    KvStore.EventChunk chunk = store.readEvents(8, 100, 10);
    assertEquals(9, chunk.through(), "read to the current revision");
    assertEquals(2, chunk.events().size());
  }

  @Test
  void tombstoneAtCompactRevisionIsDroppedAndKeyForgotten() throws Exception {
    store.compact(9, 9);
    while (!store.compactStep(100)) {
      // drain
    }
    assertEquals(2, store.revisionCount(), "b@7 and c@6 survive");
    assertNull(get(store, "d", 9));
    assertEquals(List.of(), store.events(9, 9, 10), "as in etcd, the tombstone at the compact revision is gone");
    assertEquals(10, store.firstCompleteRevision(), "so watchers may start only after it");
    put(store, 10, "d", "d2");
    assertKv(get(store, "d", 0), "d2", 10, 10, 1);
    put(store, 11, "b", "b3");
    assertKv(get(store, "b", 0), "b3", 4, 11, 3);
  }

  @Test
  void compactionKeepsReadsAboveItExactForEveryRevision() throws Exception {
    store.compact(5, 9);
    while (!store.compactStep(1)) {
      // drain one record at a time
    }
    assertEquals(List.of("b"), keys(store.range(new byte[] {0}, new byte[] {0}, 5, 0, false)));
    assertEquals(List.of("b", "c"), keys(store.range(new byte[] {0}, new byte[] {0}, 6, 0, false)));
    assertKv(get(store, "b", 6), "b1", 4, 4, 1);
    assertEquals(List.of("PUT c 6", "PUT b 7", "PUT d 8", "DELETE d 9"),
        store.events(6, 9, 10).stream().map(KvStoreTest::describe).toList());
    assertEquals(5, store.revisionCount(), "a's whole generation (2, 3, tombstone 5) is gone; b@4 is kept");
  }
}
