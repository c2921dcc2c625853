package io.vetch.mvcc;

import static io.vetch.mvcc.StoreFixture.SMALL;
import static io.vetch.mvcc.StoreFixture.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.mvccpb.KeyValue;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvStoreConcurrencyTest {
  private static final int KEYS = 10;
  private static final int TXNS = 400;
  private static final byte[] ALL = {0};

  @TempDir
  Path dir;

  /**
   * Txn i (revision i + 1) rewrites k0..k9 to "i"; every third txn first deletes them all and recreates them
   * in the same txn, and the writer compacts now and then (a read overtaken by it may fail with
   * CompactedException, never return holes). A reader ranging at the current revision must
   * always see all ten keys, all with the value of the txn that produced the revision it read at.
   */
  @Test
  void readersNeverSeeAPartialTxn() throws Exception {
    try (KvStore store = KvStore.open(dir, SMALL)) {
      apply(store, 1);
      AtomicBoolean done = new AtomicBoolean();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicLong reads = new AtomicLong();
      Thread reader = new Thread(() -> {
        try {
          while (!done.get()) {
            RangeResult r;
            try {
              r = store.range(ALL, ALL, 0, 0, false);
            } catch (CompactedException e) {
              continue; // the writer compacted past this read's revision while it ran: legal
            }
            assertEquals(KEYS, r.kvs().size(), "keys at rev " + r.rev());
            assertEquals(KEYS, r.count());
            for (KeyValue kv : r.kvs()) {
              assertEquals(Long.toString(r.rev() - 1), kv.getValue().toStringUtf8(),
                  "value at rev " + r.rev());
              assertEquals(r.rev(), kv.getModRevision());
            }
            reads.incrementAndGet();
          }
        } catch (Throwable t) {
          failure.set(t);
        }
      }, "mvcc-reader");
      reader.start();
      for (long i = 2; i <= TXNS && failure.get() == null; i++) {
        apply(store, i);
        if (i % 50 == 0) {
          store.compact(store.currentRevision() - 10, i);
          store.compactStep(Integer.MAX_VALUE);
        }
      }
      done.set(true);
      reader.join(10_000);
      assertNull(failure.get(), () -> "reader failed: " + failure.get());
      assertTrue(reads.get() > 0);
      assertEquals(TXNS + 1, store.currentRevision());
    }
  }

  private static void apply(KvStore store, long i) {
    WriteTxn t = store.write(i);
    if (i % 3 == 0) {
      t.deleteRange(b("k"), b("l"));
    }
    for (int k = 0; k < KEYS; k++) {
      t.put(b("k" + k), b(Long.toString(i)), 0);
    }
    t.end();
  }
}
