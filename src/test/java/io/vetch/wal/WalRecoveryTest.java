package io.vetch.wal;

import static io.vetch.wal.WalFiles.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.HardState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Torn tails are repaired; every other kind of damage stops open() without touching a byte. */
class WalRecoveryTest {
  private static final WalOptions OPTS = new WalOptions(64 * 1024);
  private static final WalOptions SMALL = new WalOptions(4096);
  private static final HardState HS = HardState.newBuilder().setTerm(1).setCommit(5).build();

  @TempDir
  Path dir;

  /** Writes entries 1..20 in one segment, one synced batch each; returns the last (entry 20) record. */
  private WalFiles.Rec writeTwenty() throws IOException {
    try (Wal wal = Wal.open(dir, OPTS)) {
      wal.saveMetadata(new byte[] {7});
      wal.save(HS, List.of());
      for (long i = 1; i <= 20; i++) {
        wal.save(null, entries(i, i, 1, 200));
        wal.sync();
      }
    }
    List<WalFiles.Rec> recs = WalFiles.records(onlySegment());
    WalFiles.Rec last = recs.get(recs.size() - 1);
    assertEquals(20, last.entry().getIndex());
    return last;
  }

  private Path onlySegment() throws IOException {
    List<Path> segs = WalFiles.segments(dir);
    assertEquals(1, segs.size());
    return segs.get(0);
  }

  private void assertRecoversNineteenAndAppends() throws IOException {
    try (Wal wal = Wal.open(dir, OPTS)) {
      assertEquals(entries(1, 19, 1, 200), wal.entries());
      assertEquals(HS, wal.hardState());
      assertEquals(19, wal.lastIndex());
      wal.save(null, entries(20, 22, 2, 200));
      wal.sync();
    }
    try (Wal wal = Wal.open(dir, OPTS)) {
      List<Entry> expected = new ArrayList<>(entries(1, 19, 1, 200));
      expected.addAll(entries(20, 22, 2, 200));
      assertEquals(expected, wal.entries());
    }
  }

  @Test
  void fileTruncatedInsideTheLastRecordIsATornTail() throws IOException {
    WalFiles.Rec last = writeTwenty();
    try (FileChannel ch = FileChannel.open(onlySegment(), StandardOpenOption.WRITE)) {
      ch.truncate(last.offset() + 100);
    }
    assertRecoversNineteenAndAppends();
  }

  @Test
  void fileTruncatedInsideTheLastRecordHeaderIsATornTail() throws IOException {
    WalFiles.Rec last = writeTwenty();
    try (FileChannel ch = FileChannel.open(onlySegment(), StandardOpenOption.WRITE)) {
      ch.truncate(last.offset() + 5);
    }
    assertRecoversNineteenAndAppends();
  }

  @Test
  void lastRecordPartlyZeroedIsATornTailAndIsZeroedOnDisk() throws IOException {
    WalFiles.Rec last = writeTwenty();
    Path seg = onlySegment();
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(last.end() - last.offset() - 50), last.offset() + 50);
    }
    try (Wal wal = Wal.open(dir, OPTS)) {
      assertEquals(entries(1, 19, 1, 200), wal.entries());
    }
    byte[] bytes = Files.readAllBytes(seg);
    for (int i = last.offset(); i < bytes.length; i++) {
      assertEquals(0, bytes[i], "byte " + i + " after the torn record start must be zero");
    }
    assertEquals(2, WalFiles.segments(dir).size(), "repair continues in a fresh segment");
    assertRecoversNineteenAndAppends();
  }

  @Test
  void lastRecordHalfOverwrittenWithGarbageIsATornTail() throws IOException {
    WalFiles.Rec last = writeTwenty();
    byte[] garbage = new byte[100];
    java.util.Arrays.fill(garbage, (byte) 0xA5);
    try (FileChannel ch = FileChannel.open(onlySegment(), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(garbage), last.offset() + 20);
    }
    assertRecoversNineteenAndAppends();
  }

  @Test
  void bitFlipInTheMiddleOfTheLastSegmentIsCorruption() throws IOException {
    writeTwenty();
    Path seg = onlySegment();
    WalFiles.Rec victim = WalFiles.entryRecords(seg).get(9);
    WalFiles.flipBit(seg, victim.offset() + 60);
    assertCorruptUntouched(seg, victim.offset(), "crc mismatch");
  }

  @Test
  void bitFlipInANonLastSegmentIsCorruption() throws IOException {
    try (Wal wal = Wal.open(dir, SMALL)) {
      wal.save(HS, entries(1, 100, 1, 100));
      wal.sync();
    }
    List<Path> segs = WalFiles.segments(dir);
    assertTrue(segs.size() >= 3);
    Path seg = segs.get(1);
    List<WalFiles.Rec> recs = WalFiles.entryRecords(seg);
    WalFiles.Rec victim = recs.get(recs.size() / 2);
    WalFiles.flipBit(seg, victim.offset() + 30);
    assertCorruptUntouched(seg, victim.offset(), "crc mismatch");
  }

  @Test
  void tornLookingRecordInANonLastSegmentIsCorruption() throws IOException {
    try (Wal wal = Wal.open(dir, SMALL)) {
      wal.save(HS, entries(1, 100, 1, 100));
      wal.sync();
    }
    Path seg = WalFiles.segments(dir).get(0);
    List<WalFiles.Rec> recs = WalFiles.records(seg);
    WalFiles.Rec last = recs.get(recs.size() - 1);
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(20), last.end() - 20);
    }
    assertCorruptUntouched(seg, last.offset(), "not the last segment");
  }

  @Test
  void zeroedLengthFollowedByRecordsIsCorruption() throws IOException {
    writeTwenty();
    Path seg = onlySegment();
    WalFiles.Rec victim = WalFiles.entryRecords(seg).get(5);
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(4), victim.offset());
    }
    assertCorruptUntouched(seg, victim.offset(), "zero length followed by data");
  }

  @Test
  void missingSegmentIsCorruption() throws IOException {
    try (Wal wal = Wal.open(dir, SMALL)) {
      wal.save(HS, entries(1, 100, 1, 100));
      wal.sync();
    }
    List<Path> segs = WalFiles.segments(dir);
    Files.delete(segs.get(1));
    assertCorruptUntouched(segs.get(2), 0, "segment out of sequence");
  }

  private void assertCorruptUntouched(Path file, long offset, String why) throws IOException {
    Map<String, ByteBuffer> before = WalFiles.contents(dir);
    WalCorruptException e = assertThrows(WalCorruptException.class, () -> Wal.open(dir, OPTS).close());
    assertEquals(file, e.file());
    assertEquals(offset, e.offset());
    assertTrue(e.getMessage().startsWith(file + ": corrupt record at offset " + offset + ": "), e.getMessage());
    assertTrue(e.reason().contains(why), e.reason());
    assertEquals(before, WalFiles.contents(dir), "open() must not modify a corrupt WAL");
    assertThrows(WalCorruptException.class, () -> Wal.open(dir, OPTS).close());
  }
}
