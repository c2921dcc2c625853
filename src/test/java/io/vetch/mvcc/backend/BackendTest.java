package io.vetch.mvcc.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
}
