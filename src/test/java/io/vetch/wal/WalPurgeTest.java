package io.vetch.wal;

import static io.vetch.wal.WalFiles.entries;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.raftpb.HardState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalPurgeTest {
  private static final WalOptions SMALL = new WalOptions(4096);
  private static final HardState HS = HardState.newBuilder().setTerm(4).setVote(1).setCommit(300).build();

  @TempDir
  Path dir;

  private Wal writeThreeHundred() throws IOException {
    Wal wal = Wal.open(dir, SMALL);
    wal.saveMetadata(new byte[] {4, 2});
    for (long i = 1; i <= 300; i += 20) {
      wal.save(HS, entries(i, i + 19, 4, 100));
      wal.sync();
    }
    return wal;
  }

  /** Highest entry index in a segment, or -1 if it holds none. */
  private static long maxIndex(Path segment) throws IOException {
    long max = -1;
    for (WalFiles.Rec r : WalFiles.entryRecords(segment)) {
      max = Math.max(max, r.entry().getIndex());
    }
    return max;
  }

  @Test
  void removesOnlySegmentsFullyCoveredBySnapshotAndReopensFromIt() throws IOException {
    List<Path> covered = new ArrayList<>();
    List<Path> before;
    try (Wal wal = writeThreeHundred()) {
      wal.saveSnapshot(150, 4);
      before = WalFiles.segments(dir);
      for (Path seg : before) {
        if (maxIndex(seg) <= 150 && !seg.equals(before.get(before.size() - 1))) {
          covered.add(seg);
        } else {
          break;
        }
      }
      assertTrue(covered.size() > 2, "test needs several covered segments");
      assertEquals(covered.size(), wal.purge(150));
    }
    List<Path> after = WalFiles.segments(dir);
    assertEquals(before.subList(covered.size(), before.size()), after);
    for (Path seg : covered) {
      assertFalse(Files.exists(seg));
    }
    assertTrue(maxIndex(after.get(0)) > 150, "the first kept segment holds an entry after the snapshot");
    try (Wal wal = Wal.open(dir, SMALL)) {
      assertEquals(new SnapshotMarker(150, 4), wal.lastSnapshot());
      assertEquals(entries(151, 300, 4, 100), wal.entries());
      assertEquals(HS, wal.hardState());
      assertArrayEquals(new byte[] {4, 2}, wal.metadata());
    }
  }

  @Test
  void purgeIsCappedAtTheLastSnapshotMarker() throws IOException {
    try (Wal wal = writeThreeHundred()) {
      assertEquals(0, wal.purge(300), "no snapshot marker yet: every entry is still needed");
      wal.saveSnapshot(100, 4);
      int removed = wal.purge(1000);
      assertTrue(removed > 0);
      assertEquals(0, wal.purge(100));
    }
    try (Wal wal = Wal.open(dir, SMALL)) {
      assertEquals(entries(101, 300, 4, 100), wal.entries());
    }
  }

  @Test
  void neverRemovesTheCurrentSegment() throws IOException {
    try (Wal wal = Wal.open(dir, SMALL)) {
      wal.save(HS, entries(1, 5, 1, 10));
      wal.saveSnapshot(5, 1);
      assertEquals(0, wal.purge(5));
      assertEquals(1, WalFiles.segments(dir).size());
    }
    try (Wal wal = Wal.open(dir, SMALL)) {
      assertEquals(List.of(), wal.entries());
      assertEquals(5, wal.lastIndex());
    }
  }
}
