package io.vetch.mvcc.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.map.ChronicleMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendTest {
  @TempDir
  Path dir;

  @Test
  void recordLayout() {
    byte[] r = BackendRecord.encode(0x0102030405060708L, true, new byte[] {42, 43});
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 1, 42, 43}, r);
    assertEquals(0x0102030405060708L, BackendRecord.raftIndex(r));
    assertTrue(BackendRecord.isTombstone(r));
    assertEquals(2, BackendRecord.payloadLength(r));
    assertFalse(BackendRecord.isTombstone(BackendRecord.encode(-1, false, new byte[0])));
    assertEquals(-1, BackendRecord.raftIndex(BackendRecord.encode(-1, false, new byte[0])));
  }

  @Test
  void recordsAndMetaPersistAcrossReopen() throws Exception {
    try (Backend b = Backend.open(dir, 100, 32)) {
      assertEquals(0, b.meta(MetaKey.CONSISTENT_INDEX), "unset meta reads 0");
      b.put(2, 0, new byte[] {1});
      b.put(2, 1, new byte[] {2, 2});
      b.put(3, 0, new byte[] {3});
      assertEquals(1, b.delete(3, 0));
      assertEquals(-1, b.delete(3, 0));
      b.setMeta(MetaKey.CONSISTENT_INDEX, 77);
      b.setMeta(MetaKey.SCHEDULED_COMPACT_REVISION, Long.MAX_VALUE);
      b.sync();
    }
    assertTrue(Files.exists(dir.resolve(Backend.REVISIONS_FILE)));
    assertTrue(Files.exists(dir.resolve(Backend.META_FILE)));
    try (Backend b = Backend.open(dir, 100, 32)) {
      assertEquals(2, b.recordCount());
      assertArrayEquals(new byte[] {2, 2}, b.get(2, 1));
      assertNull(b.get(3, 0));
      assertEquals(77, b.meta(MetaKey.CONSISTENT_INDEX));
      assertEquals(Long.MAX_VALUE, b.meta(MetaKey.SCHEDULED_COMPACT_REVISION));
      List<String> seen = new ArrayList<>();
      b.forEach((main, sub, record) -> seen.add(main + "." + sub + ":" + record.length));
      seen.sort(null);
      assertEquals(List.of("2.0:1", "2.1:2"), seen);
    }
  }

  @Test
  void cleanCloseMarksTheDirectoryAndOpenConsumesTheMark() throws Exception {
    try (Backend b = Backend.open(dir, 100, 32)) {
      b.put(5, 0, new byte[] {5});
      assertFalse(Files.exists(dir.resolve(Backend.CLEAN_FILE)), "no mark while open");
    }
    assertTrue(Files.exists(dir.resolve(Backend.CLEAN_FILE)), "a finished close leaves the mark");
    try (Backend b = Backend.open(dir, 100, 32)) { // the quick open, without Chronicle's recovery scan
      assertFalse(Files.exists(dir.resolve(Backend.CLEAN_FILE)), "open removes the mark before any write");
      assertArrayEquals(new byte[] {5}, b.get(5, 0));
      b.put(6, 0, new byte[] {6});
    }
    Files.delete(dir.resolve(Backend.CLEAN_FILE)); // as after a crash: the recovering open
    try (Backend b = Backend.open(dir, 100, 32)) {
      assertEquals(2, b.recordCount());
      assertArrayEquals(new byte[] {6}, b.get(6, 0));
    }
  }

  @Test
  void aMetaValueLostToATornWriteFallsBackToTheValueBefore() throws Exception {
    try (Backend b = Backend.open(dir, 100, 32)) {
      for (long ci = 10; ci <= 50; ci += 10) {
        b.setMeta(MetaKey.CONSISTENT_INDEX, ci);
        assertEquals(ci, b.meta(MetaKey.CONSISTENT_INDEX));
      }
    }
    // What Chronicle's recovery does with an entry a kill -9 left torn: drops it. Here, the newest slot.
    byte[] newest;
    try (ChronicleMap<byte[], byte[]> meta = rawMeta()) {
      newest = meta.keySet().stream().filter(k -> value(meta.get(k)) == 50).findFirst().orElseThrow();
      meta.remove(newest);
    }
    try (Backend b = Backend.open(dir, 100, 32)) {
      assertEquals(40, b.meta(MetaKey.CONSISTENT_INDEX), "the slot written before survives");
      b.setMeta(MetaKey.CONSISTENT_INDEX, 60);
      b.setMeta(MetaKey.CONSISTENT_INDEX, 70);
    }
    try (ChronicleMap<byte[], byte[]> meta = rawMeta()) {
      assertEquals(List.of(60L, 70L), meta.values().stream().map(BackendTest::value).sorted().toList(),
          "writes go to the slot with the lower value, so the newest two values are kept");
    }
  }

  @Test
  void aMetaMapWithOneSlotPerKeyStillReads() throws Exception {
    try (Backend b = Backend.open(dir, 100, 32)) {
      b.setMeta(MetaKey.FINISHED_COMPACT_REVISION, 1);
    }
    try (ChronicleMap<byte[], byte[]> meta = rawMeta()) { // as an older vetch wrote it: the key's name only
      meta.clear();
      byte[] v = new byte[Long.BYTES];
      BackendRecord.putLong(v, 0, 123);
      meta.put("CONSISTENT_INDEX".getBytes(StandardCharsets.US_ASCII), v);
    }
    try (Backend b = Backend.open(dir, 100, 32)) {
      assertEquals(123, b.meta(MetaKey.CONSISTENT_INDEX));
      assertEquals(0, b.meta(MetaKey.FINISHED_COMPACT_REVISION));
      b.setMeta(MetaKey.CONSISTENT_INDEX, 124);
      assertEquals(124, b.meta(MetaKey.CONSISTENT_INDEX));
    }
    try (ChronicleMap<byte[], byte[]> meta = rawMeta()) {
      assertEquals(123, value(meta.get("CONSISTENT_INDEX".getBytes(StandardCharsets.US_ASCII))),
          "the old slot keeps the value before");
    }
  }

  /** The meta file opened as a plain Chronicle Map (its configuration read from its header). */
  private ChronicleMap<byte[], byte[]> rawMeta() throws Exception {
    Files.deleteIfExists(dir.resolve(Backend.CLEAN_FILE));
    return ChronicleMap.of(byte[].class, byte[].class).averageKeySize(20).constantValueSizeBySample(new byte[8])
        .entries(16).skipCloseOnExitHook(true).recoverPersistedTo(dir.resolve(Backend.META_FILE).toFile(), false);
  }

  private static long value(byte[] v) {
    return BackendRecord.getLong(v, 0);
  }
}
