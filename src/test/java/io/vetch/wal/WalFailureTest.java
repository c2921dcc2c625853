package io.vetch.wal;

import static io.vetch.wal.WalFiles.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.raftpb.HardState;
import io.vetch.failpoint.Failpoints;
import io.vetch.failpoint.StorageFault;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed WAL write, fsync or segment creation: a StorageFault naming the file, every later write refused, and
 * {@link Wal#abandon()} leaving on disk exactly what the last successful fsync covered, for open() to read.
 */
class WalFailureTest {
  @TempDir
  Path dir;

  @AfterEach
  void off() {
    Failpoints.clear();
  }

  private static HardState hs(long commit) {
    return HardState.newBuilder().setTerm(2).setVote(1).setCommit(commit).build();
  }

  @Test
  void failedFsyncNamesTheFileRefusesWritesAndIsCutBackToTheLastGoodFsync() throws IOException {
    Wal wal = Wal.open(dir, WalOptions.defaults());
    wal.save(hs(10), entries(1, 10, 2, 100));
    wal.sync();
    wal.save(hs(20), entries(11, 20, 2, 100));
    Failpoints.set(Failpoints.WAL_FSYNC, "1*error(EIO)");
    StorageFault f = assertThrows(StorageFault.class, wal::sync);
    assertEquals("wal fsync", f.operation());
    assertTrue(f.getMessage().matches("wal fsync .*0000000000000000-0000000000000001\\.wal: Input/output error"),
        f.getMessage());
    // the failpoint fired once; the WAL still refuses: after a failed fsync its page cache cannot be trusted
    IOException again = assertThrows(IOException.class, () -> wal.save(null, entries(21, 21, 2, 10)));
    assertTrue(again.getMessage().contains("WAL failed earlier"), again.getMessage());
    assertNotNull(wal.failure());
    wal.abandon();
    try (Wal reopened = Wal.open(dir, WalOptions.defaults())) {
      assertEquals(entries(1, 10, 2, 100), reopened.entries(), "entries 11-20 were written but their fsync failed");
      assertEquals(hs(10), reopened.hardState());
      reopened.save(hs(12), entries(11, 12, 3, 10));
      reopened.sync();
    }
    try (Wal reopened = Wal.open(dir, WalOptions.defaults())) {
      assertEquals(12, reopened.lastIndex());
    }
  }

  @Test
  void aSyncOnTheWalsThreadFailsAtItsAwaitAsSyncWould() throws IOException {
    Wal wal = Wal.open(dir, WalOptions.defaults());
    wal.save(hs(10), entries(1, 10, 2, 100));
    wal.startSync();
    wal.awaitSync(0);
    wal.save(hs(20), entries(11, 20, 2, 100));
    Failpoints.set(Failpoints.WAL_FSYNC, "1*error(EIO)");
    wal.startSync();
    assertThrows(IllegalStateException.class, () -> wal.save(null, entries(21, 21, 2, 10)),
        "nothing else while the sync runs");
    StorageFault f = assertThrows(StorageFault.class, () -> wal.awaitSync(1_000_000));
    assertEquals("wal fsync", f.operation());
    IOException again = assertThrows(IOException.class, () -> wal.save(null, entries(21, 21, 2, 10)));
    assertTrue(again.getMessage().contains("WAL failed earlier"), again.getMessage());
    wal.abandon();
    try (Wal reopened = Wal.open(dir, WalOptions.defaults())) {
      assertEquals(entries(1, 10, 2, 100), reopened.entries());
    }
  }

  @Test
  void aCutBackThatFailsIsTriedAgainInFull() throws IOException {
    Wal wal = Wal.open(dir, WalOptions.defaults());
    wal.save(hs(10), entries(1, 10, 2, 100));
    wal.sync();
    wal.save(hs(20), entries(11, 20, 2, 100));
    Failpoints.set(Failpoints.WAL_FSYNC, "1*error(EIO)");
    assertThrows(StorageFault.class, wal::sync);
    Failpoints.set(Failpoints.WAL_WRITE, "1*error(EIO)");
    StorageFault f = assertThrows(StorageFault.class, wal::abandon);
    assertEquals("wal truncate", f.operation());
    wal.abandon(); // the disk works again: the whole range is zeroed this time
    try (Wal reopened = Wal.open(dir, WalOptions.defaults())) {
      assertEquals(entries(1, 10, 2, 100), reopened.entries(), "entries 11-20 are not read back from the cache");
      assertEquals(hs(10), reopened.hardState());
    }
  }

  @Test
  void aFailedWalThatCannotBeCutBackIsClosedWithoutWriting() throws IOException {
    Wal wal = Wal.open(dir, WalOptions.defaults());
    wal.save(hs(5), entries(1, 5, 2, 100));
    wal.sync();
    wal.save(hs(9), entries(6, 9, 2, 100));
    Failpoints.set(Failpoints.WAL_FSYNC, "error(EIO)");
    assertThrows(StorageFault.class, wal::sync);
    Failpoints.set(Failpoints.WAL_WRITE, "error(EIO)");
    assertThrows(StorageFault.class, wal::close);
    wal.close(); // released: nothing more to do
    Failpoints.clear();
    try (Wal reopened = Wal.open(dir, WalOptions.defaults())) {
      assertTrue(reopened.lastIndex() >= 5, "what was synced is there");
    }
  }

  @Test
  void failedWriteKeepsWhatWasSynced() throws IOException {
    Wal wal = Wal.open(dir, WalOptions.defaults());
    wal.save(hs(5), entries(1, 5, 2, 100));
    wal.sync();
    wal.save(hs(9), entries(6, 9, 2, 100));
    Failpoints.set(Failpoints.WAL_WRITE, "error(ENOSPC)");
    StorageFault f = assertThrows(StorageFault.class, wal::sync);
    assertEquals("wal write", f.operation());
    assertTrue(f.getMessage().endsWith(": No space left on device"), f.getMessage());
    Failpoints.clear();
    wal.close(); // a failed WAL's close writes nothing buffered: it abandons
    try (Wal reopened = Wal.open(dir, WalOptions.defaults())) {
      assertEquals(5, reopened.lastIndex());
    }
  }

  @Test
  void failedSegmentCreationLeavesNoHalfMadeSegment() throws IOException {
    WalOptions small = new WalOptions(4096);
    Wal wal = Wal.open(dir, small);
    wal.save(hs(5), entries(1, 5, 2, 500));
    wal.sync();
    Failpoints.set(Failpoints.WAL_CREATE, "error(EROFS)");
    StorageFault f = assertThrows(StorageFault.class, () -> {
      wal.save(hs(20), entries(6, 20, 2, 500)); // does not fit: rolls
      wal.sync();
    });
    assertEquals("wal create", f.operation());
    assertTrue(f.getMessage().endsWith(": Read-only file system"), f.getMessage());
    Failpoints.clear();
    wal.abandon();
    try (Wal reopened = Wal.open(dir, small)) {
      long last = reopened.lastIndex();
      assertTrue(last >= 5 && last < 20, "only entries whose fsync succeeded: " + last);
      assertEquals(entries(1, last, 2, 500), reopened.entries());
    }
    assertEquals(List.of(dir.resolve("0000000000000000-0000000000000001.wal")), WalFiles.segments(dir).subList(0, 1));
  }
}
