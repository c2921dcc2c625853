package io.vetch.wal;

import static io.vetch.wal.WalFiles.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.HardState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments written with direct I/O: records of every size across block boundaries, the partial last block written
 * again with each batch, reopened at an unaligned end, and files written one way read and continued the other way.
 */
class WalDirectIoTest {
  private static final WalOptions DIRECT = new WalOptions(8L * 1024 * 1024, true);
  private static final WalOptions BUFFERED = DIRECT.withDirectIo(false);

  @TempDir
  Path tmp;

  @Test
  void batchesOfEverySizeSurviveReopenAndTheLogContinuesAfterAnUnalignedEnd() throws IOException {
    Random random = new Random(42);
    List<Entry> written = new ArrayList<>();
    long index = 1;
    try (Wal wal = Wal.open(tmp, DIRECT)) {
      Assumptions.assumeTrue(wal.directIo(), "this file system refuses O_DIRECT");
      for (int batch = 0; batch < 300; batch++) {
        int count = 1 + random.nextInt(8);
        int size = batch == 150 ? 1_500_000 : random.nextInt(batch % 10 == 0 ? 9000 : 400); // one past the buffer
        List<Entry> es = entries(index, index + count - 1, 1, size);
        wal.save(HardState.newBuilder().setTerm(1).setCommit(index).build(), es);
        wal.sync();
        written.addAll(es);
        index += count;
      }
    }
    try (Wal wal = Wal.open(tmp, DIRECT)) {
      assertEquals(written, wal.entries());
      for (int batch = 0; batch < 20; batch++) { // appends after the reopened segment's unaligned end
        List<Entry> es = entries(index, index, 1, 37 + batch);
        wal.save(null, es);
        wal.sync();
        written.addAll(es);
        index++;
      }
    }
    try (Wal wal = Wal.open(tmp, BUFFERED)) {
      assertFalse(wal.directIo());
      assertEquals(written, wal.entries());
      List<Entry> es = entries(index, index + 2, 1, 100);
      wal.save(null, es);
      wal.sync();
      written.addAll(es);
      index += 3;
    }
    try (Wal wal = Wal.open(tmp, DIRECT)) {
      assertEquals(written, wal.entries(), "buffered writes read back and continued with direct I/O");
      List<Entry> es = entries(index, index + 4, 1, 5000);
      wal.save(null, es);
      wal.sync();
      written.addAll(es);
    }
    try (Wal wal = Wal.open(tmp, BUFFERED)) {
      assertEquals(written, wal.entries());
    }
  }

  @Test
  void segmentsRollWithDirectIo() throws IOException {
    WalOptions small = new WalOptions(64 * 1024, true);
    List<Entry> written = new ArrayList<>();
    try (Wal wal = Wal.open(tmp, small)) {
      Assumptions.assumeTrue(wal.directIo(), "this file system refuses O_DIRECT");
      for (long i = 1; i <= 400; i++) {
        List<Entry> es = entries(i, i, 2, 700);
        wal.save(null, es);
        wal.sync();
        written.addAll(es);
      }
    }
    assertEquals(true, WalFiles.segments(tmp).size() > 3, "rolled across several segments");
    try (Wal wal = Wal.open(tmp, small)) {
      assertEquals(written, wal.entries());
    }
  }
}
