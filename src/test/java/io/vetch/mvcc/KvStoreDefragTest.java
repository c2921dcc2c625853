package io.vetch.mvcc;

import static io.vetch.mvcc.StoreFixture.b;
import static io.vetch.mvcc.StoreFixture.keys;
import static io.vetch.mvcc.StoreFixture.put;
import static io.vetch.mvcc.StoreFixture.delete;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defragmentation: the copy runs on another thread while the writer goes on writing and compacting; the switched
 * store holds exactly the same history, survives a reopen, and reports the reclaimed space.
 */
class KvStoreDefragTest {
  @TempDir
  Path dir;

  @Test
  void writesAndCompactionDuringTheCopyAreKept() throws Exception {
    long index = 0;
    try (KvStore s = KvStore.open(dir, StoreFixture.SMALL)) {
      for (int i = 0; i < 2000; i++) {
        put(s, ++index, "k" + (i % 100), "v" + i);
      }
      s.compact(1500, ++index);
      long hashBefore = KvHash.compute(s, 0).hash();
      Defragmentation d = s.beginDefrag();
      CompletableFuture<Long> copy = CompletableFuture.supplyAsync(() -> {
        try {
          return d.copy();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      // The writer goes on meanwhile: new puts, a delete, and physical compaction steps.
      for (int i = 0; i < 300; i++) {
        put(s, ++index, "n" + i, "x" + i);
        s.compactStep(50);
      }
      delete(s, ++index, "k1");
      while (!s.compactStep(1000)) {
        // drain
      }
      copy.get();
      long rev = s.currentRevision();
      long hash = KvHash.compute(s, 0).hash();
      assertNotEquals(hashBefore, hash);
      Closeable old = s.finishDefrag(d);
      old.close();
      assertEquals(rev, s.currentRevision());
      assertEquals(hash, KvHash.compute(s, 0).hash(), "same history after the switch");
      assertEquals(399, s.keyCount());
      assertEquals("x299", s.range(b("n299"), null, 0, 0, false).kvs().get(0).getValue().toStringUtf8());
      put(s, ++index, "after", "defrag");
    }
    try (KvStore s = KvStore.open(dir, StoreFixture.SMALL)) {
      assertEquals(400, s.keyCount(), "the defragmented backend is the one reopened");
      assertEquals(1, keys(s.range(b("after"), null, 0, 0, false)).size());
    }
  }

  @Test
  void defragmentReclaimsTheSpaceOfCompactedHistory() throws Exception {
    try (KvStore s = KvStore.open(dir, StoreFixture.SMALL)) {
      long index = 0;
      for (int i = 0; i < 1000; i++) {
        put(s, ++index, "k" + (i % 10), "value-" + i);
      }
      long full = s.dbSizeBytes();
      s.compact(s.currentRevision(), ++index);
      while (!s.compactStep(1000)) {
        // drain
      }
      assertEquals(full, s.dbSizeBytes(), "compaction alone does not shrink the db size");
      assertTrue(s.sizeBytes() < full / 50, "but frees the space in use");
      Defragmentation d = s.beginDefrag();
      d.copy();
      s.finishDefrag(d).close();
      assertEquals(s.sizeBytes(), s.dbSizeBytes());
      assertEquals(10, s.keyCount());
    }
  }

  @Test
  void anAbortedDefragmentationLeavesTheStoreAsItWas() throws Exception {
    try (KvStore s = KvStore.open(dir, StoreFixture.SMALL)) {
      put(s, 1, "a", "1");
      Defragmentation d = s.beginDefrag();
      put(s, 2, "b", "2");
      s.abortDefrag();
      put(s, 3, "c", "3");
      assertEquals(3, s.keyCount());
    }
    try (KvStore s = KvStore.open(dir, StoreFixture.SMALL)) {
      assertEquals(3, s.keyCount());
      assertEquals(4, s.currentRevision());
    }
  }
}
