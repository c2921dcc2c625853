package io.vetch.wal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vetch.api.raftpb.HardState;
import io.vetch.testing.Fuzzing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the WAL's reading of segment files (what a restart reads from a disk that may have damaged them): the bytes
 * as a segment, read by {@link WalReplay} as the only segment (where a bad record may be a torn tail) and as the
 * first of two (where it is corruption). {@code segment} takes the bytes as they are; {@code records} first sets
 * each record's CRC to match, so that the fuzzer reaches the decoding of record types and payloads. Every input
 * must end in a replay or a {@link WalCorruptException}.
 */
class WalFuzzTest {
  private static Path dir;

  @BeforeAll
  static void scratch() {
    dir = Fuzzing.scratch("wal");
  }

  @AfterAll
  static void cleanUp() throws IOException {
    Fuzzing.delete(dir);
  }

  @FuzzTest(maxDuration = "10m")
  void segment(byte[] data) throws IOException {
    replay(data);
  }

  @FuzzTest(maxDuration = "10m")
  void records(byte[] data) throws IOException {
    replay(withGoodCrcs(data));
  }

  private static void replay(byte[] data) throws IOException {
    Path only = dir.resolve(SegmentFile.name(0, 1));
    Path second = dir.resolve(SegmentFile.name(1, 1));
    // new files each time: truncating a file that earlier replays still map costs time per mapping
    Files.deleteIfExists(only);
    Files.deleteIfExists(second);
    Files.write(only, data);
    read(List.of(new SegmentFile(0, 1, only)));
    Files.write(second, new byte[0]);
    read(List.of(new SegmentFile(0, 1, only), new SegmentFile(1, 1, second)));
  }

  private static void read(List<SegmentFile> segments) throws IOException {
    try {
      WalReplay r = WalReplay.read(segments);
      r.tail();
    } catch (WalCorruptException expected) {
      // damage found and named
    }
  }

  /** data with the CRC of every record whose length fits in it set to match, up to the first that does not. */
  static byte[] withGoodCrcs(byte[] data) {
    byte[] out = data.clone();
    ByteBuffer b = ByteBuffer.wrap(out);
    CRC32C crc = new CRC32C();
    int pos = 0;
    while (pos + SegmentWriter.HEADER_BYTES <= out.length) {
      long length = Integer.toUnsignedLong(b.getInt(pos));
      if (length == 0 || pos + SegmentWriter.HEADER_BYTES + length > out.length) {
        break;
      }
      crc.reset();
      crc.update(out, pos + SegmentWriter.HEADER_BYTES, (int) length);
      b.putInt(pos + 4, (int) crc.getValue());
      pos += SegmentWriter.HEADER_BYTES + (int) length;
    }
    return out;
  }

  /** Segments written by the WAL itself: a first segment rolled over, and the one after it. */
  static Map<String, Map<String, byte[]>> seeds() throws IOException {
    Path d = Fuzzing.scratch("wal-seeds");
    try {
      try (Wal wal = Wal.open(d, new WalOptions(1024))) {
        wal.saveMetadata(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        wal.save(HardState.newBuilder().setTerm(2).setVote(1).setCommit(3).build(), WalFiles.entries(1, 4, 2, 40));
        wal.saveSnapshot(2, 2);
        wal.save(HardState.newBuilder().setTerm(3).setVote(1).setCommit(6).build(), WalFiles.entries(5, 30, 3, 20));
        wal.sync();
      }
      Map<String, byte[]> segs = new LinkedHashMap<>();
      List<Path> files = WalFiles.segments(d);
      segs.put("first-segment", trimZeros(Files.readAllBytes(files.get(0))));
      segs.put("last-segment", trimZeros(Files.readAllBytes(files.get(files.size() - 1))));
      return Map.of("segment", segs, "records", segs);
    } finally {
      Fuzzing.delete(d);
    }
  }

  /** Without the preallocated zeros after the data (a segment ends at a zero length or at the end of the file). */
  static byte[] trimZeros(byte[] b) {
    int end = b.length;
    while (end > 0 && b[end - 1] == 0) {
      end--;
    }
    return java.util.Arrays.copyOf(b, end);
  }
}
