package io.vetch.wal;

import static io.vetch.wal.WalFiles.entries;
import static io.vetch.wal.WalFiles.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.HardState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalTest {
  private static final WalOptions SMALL = new WalOptions(4096);

  @TempDir
  Path tmp;

  @Test
  void emptyDirectoryGetsAPreallocatedFirstSegment() throws IOException {
    Path dir = tmp.resolve("member/wal");
    try (Wal wal = Wal.open(dir, SMALL)) {
      assertNull(wal.metadata());
      assertEquals(HardState.getDefaultInstance(), wal.hardState());
      assertEquals(SnapshotMarker.NONE, wal.lastSnapshot());
      assertEquals(List.of(), wal.entries());
      assertEquals(0, wal.lastIndex());
    }
    List<Path> segs = WalFiles.segments(dir);
    assertEquals(List.of(dir.resolve("0000000000000000-0000000000000001.wal")), segs);
    assertEquals(4096, Files.size(segs.get(0)));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(1, s.count(), "no .tmp file left behind");
    }
  }

  @Test
  void entriesHardStateAndMetadataSurviveReopen() throws IOException {
    HardState hs = HardState.newBuilder().setTerm(3).setVote(2).setCommit(7).build();
    try (Wal wal = Wal.open(tmp, WalOptions.defaults())) {
      wal.saveMetadata(new byte[] {1, 2, 3});
      wal.save(hs, entries(1, 10, 3, 50));
      wal.sync();
    }
    HardState hs2 = hs.toBuilder().setCommit(12).build();
    try (Wal wal = Wal.open(tmp, WalOptions.defaults())) {
      assertArrayEquals(new byte[] {1, 2, 3}, wal.metadata());
      assertEquals(hs, wal.hardState());
      assertEquals(entries(1, 10, 3, 50), wal.entries());
      assertEquals(10, wal.lastIndex());
      wal.save(null, entries(11, 12, 3, 50));
      wal.save(hs2, List.of());
      wal.sync();
    }
    try (Wal wal = Wal.open(tmp, WalOptions.defaults())) {
      assertEquals(entries(1, 12, 3, 50), wal.entries());
      assertEquals(hs2, wal.hardState());
    }
  }

  @Test
  void aSyncOnTheWalsThreadIsDurableWhenAwaitedAndItsThreadEndsWithTheWal() throws Exception {
    HardState hs = HardState.newBuilder().setTerm(2).setVote(1).setCommit(5).build();
    long others = syncThreads();
    Wal wal = Wal.open(tmp, WalOptions.defaults());
    wal.save(hs, entries(1, 5, 2, 50));
    wal.startSync();
    assertThrows(IllegalStateException.class, wal::sync, "nothing else until it is awaited");
    assertTrue(wal.awaitSync(0) > 0);
    assertThrows(IllegalStateException.class, () -> wal.awaitSync(0), "awaited once");
    assertEquals(others + 1, syncThreads());
    wal.release(); // closes without writing: only what the sync made durable is there
    for (int i = 0; i < 100 && syncThreads() > others; i++) {
      Thread.sleep(10);
    }
    assertEquals(others, syncThreads());
    try (Wal reopened = Wal.open(tmp, WalOptions.defaults())) {
      assertEquals(entries(1, 5, 2, 50), reopened.entries());
      assertEquals(hs, reopened.hardState());
    }
  }

  private static long syncThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("vetch-wal-sync")).count();
  }

  @Test
  void closeWritesWhatWasBufferedWithoutExplicitSync() throws IOException {
    try (Wal wal = Wal.open(tmp, SMALL)) {
      wal.save(null, entries(1, 3, 1, 10));
    }
    try (Wal wal = Wal.open(tmp, SMALL)) {
      assertEquals(entries(1, 3, 1, 10), wal.entries());
    }
  }

  @Test
  void rollsAcrossManySmallSegmentsAndReadsThemBack() throws IOException {
    HardState hs = HardState.newBuilder().setTerm(1).setCommit(400).build();
    try (Wal wal = Wal.open(tmp, SMALL)) {
      wal.saveMetadata(new byte[] {9});
      for (long i = 1; i <= 400; i += 10) {
        wal.save(hs.toBuilder().setCommit(i).build(), entries(i, i + 9, 1, 100));
        wal.sync();
      }
      wal.save(hs, List.of());
    }
    List<Path> segs = WalFiles.segments(tmp);
    assertTrue(segs.size() > 10, "expected many segments, got " + segs.size());
    for (int i = 0; i < segs.size(); i++) {
      assertTrue(segs.get(i).getFileName().toString().startsWith(String.format("%016x-", i)));
      assertEquals(4096, Files.size(segs.get(i)), "preallocated size of " + segs.get(i));
      List<WalFiles.Rec> recs = WalFiles.records(segs.get(i));
      if (i == 0) {
        continue; // created before saveMetadata
      }
      assertEquals(RecordType.METADATA.code, recs.get(0).type(), "segment header repeats metadata");
      assertEquals(RecordType.STATE.code, recs.get(1).type(), "segment header repeats the hard state");
      assertEquals(RecordType.SNAPSHOT.code, recs.get(2).type(), "segment header repeats the snapshot marker");
    }
    // a segment is named after the index of its first entry
    for (Path seg : segs.subList(1, segs.size())) {
      List<WalFiles.Rec> ents = WalFiles.entryRecords(seg);
      if (!ents.isEmpty()) {
        String first = String.format("-%016x.wal", ents.get(0).entry().getIndex());
        assertTrue(seg.toString().endsWith(first), seg + " should end with " + first);
      }
    }
    try (Wal wal = Wal.open(tmp, SMALL)) {
      assertEquals(entries(1, 400, 1, 100), wal.entries());
      assertEquals(hs, wal.hardState());
      assertArrayEquals(new byte[] {9}, wal.metadata());
      assertEquals(400, wal.lastIndex());
    }
  }

  @Test
  void recordLargerThanASegmentGetsASegmentSizedForIt() throws IOException {
    Entry big = entry(2, 1, 10_000);
    try (Wal wal = Wal.open(tmp, SMALL)) {
      wal.save(null, List.of(entry(1, 1, 10), big, entry(3, 1, 10)));
      wal.sync();
    }
    List<Path> segs = WalFiles.segments(tmp);
    assertEquals(3, segs.size());
    assertTrue(Files.size(segs.get(1)) > 10_000);
    try (Wal wal = Wal.open(tmp, SMALL)) {
      assertEquals(List.of(entry(1, 1, 10), big, entry(3, 1, 10)), wal.entries());
    }
  }

  @Test
  void laterEntriesReplaceConflictingOnesLikeAFollowerLog() throws IOException {
    try (Wal wal = Wal.open(tmp, SMALL)) {
      wal.save(null, entries(1, 5, 1, 10));
      wal.save(null, entries(3, 4, 2, 10));
      assertEquals(4, wal.lastIndex());
      wal.sync();
    }
    try (Wal wal = Wal.open(tmp, SMALL)) {
      List<Entry> expected = new ArrayList<>(entries(1, 2, 1, 10));
      expected.addAll(entries(3, 4, 2, 10));
      assertEquals(expected, wal.entries());
      assertEquals(4, wal.lastIndex());
    }
  }

  @Test
  void truncationWorksAcrossSegments() throws IOException {
    try (Wal wal = Wal.open(tmp, SMALL)) {
      wal.save(null, entries(1, 100, 1, 100));
      wal.save(null, entries(20, 30, 2, 100));
      wal.sync();
    }
    assertTrue(WalFiles.segments(tmp).size() > 2);
    try (Wal wal = Wal.open(tmp, SMALL)) {
      List<Entry> expected = new ArrayList<>(entries(1, 19, 1, 100));
      expected.addAll(entries(20, 30, 2, 100));
      assertEquals(expected, wal.entries());
    }
  }

  @Test
  void snapshotMarkerDropsEntriesUpToIt() throws IOException {
    try (Wal wal = Wal.open(tmp, SMALL)) {
      wal.save(null, entries(1, 10, 1, 10));
      wal.saveSnapshot(6, 1);
      wal.save(null, entries(11, 12, 1, 10));
      wal.sync();
    }
    try (Wal wal = Wal.open(tmp, SMALL)) {
      assertEquals(new SnapshotMarker(6, 1), wal.lastSnapshot());
      assertEquals(entries(7, 12, 1, 10), wal.entries());
      assertEquals(12, wal.lastIndex());
    }
  }

  @Test
  void snapshotFromADivergentLogDiscardsEveryEntry() throws IOException {
    try (Wal wal = Wal.open(tmp, SMALL)) {
      wal.save(null, entries(1, 10, 1, 10));
      wal.saveSnapshot(8, 2); // term 2 at index 8: entries 9..10 of term 1 are from another log
      assertEquals(8, wal.lastIndex());
      wal.save(null, entries(9, 9, 2, 10));
      wal.sync();
    }
    try (Wal wal = Wal.open(tmp, SMALL)) {
      assertEquals(new SnapshotMarker(8, 2), wal.lastSnapshot());
      assertEquals(entries(9, 9, 2, 10), wal.entries());
    }
  }

  @Test
  void rejectsAGapAndAMarkerGoingBackWithoutWriting() throws IOException {
    try (Wal wal = Wal.open(tmp, SMALL)) {
      wal.save(null, entries(1, 3, 1, 10));
      assertThrows(IllegalArgumentException.class, () -> wal.save(null, entries(5, 6, 1, 10)));
      assertThrows(IllegalArgumentException.class, () -> wal.save(null, List.of(entry(4, 1, 1), entry(6, 1, 1))));
      wal.saveSnapshot(2, 1);
      assertThrows(IllegalArgumentException.class, () -> wal.saveSnapshot(1, 1));
      wal.save(null, entries(4, 4, 1, 10));
      wal.sync();
    }
    try (Wal wal = Wal.open(tmp, SMALL)) {
      assertEquals(entries(3, 4, 1, 10), wal.entries());
    }
  }

  @Test
  void refusesUseAfterClose() throws IOException {
    Wal wal = Wal.open(tmp, SMALL);
    wal.close();
    wal.close();
    assertThrows(IllegalStateException.class, () -> wal.save(null, entries(1, 1, 1, 1)));
    assertThrows(IllegalStateException.class, wal::sync);
  }
}
