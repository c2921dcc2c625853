package io.vetch.bolt;

import static io.vetch.bolt.BoltFiles.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file written by the real bbolt 1.3.6 (dev/bbolt-fixture/main.go): two transactions, so meta txids 2 and 3, a
 * synced freelist listing the pages the second one freed, a nested bucket, inline buckets, a 10,000-byte value on
 * overflow pages, and the file longer than its high-water mark (bbolt grows files ahead).
 */
class BoltFixtureTest {
  @TempDir Path dir;

  @Test
  void readsAFileWrittenByBbolt() throws IOException {
    Path f = dir.resolve("fixture.db");
    try (InputStream in = getClass().getResourceAsStream("bbolt-fixture.db")) {
      Files.copy(in, f);
    }
    try (BoltReader r = BoltReader.open(f)) {
      assertEquals(3, r.txid());
      assertEquals(22, r.pageCount());
      assertTrue(Files.size(f) > r.pageCount() * r.pageSize());
      assertEquals(11, r.freePageCount());
      assertEquals(List.of("big", "empty", "small"), BoltFiles.strings(r.buckets()));
      assertFalse(r.isInline(b("big")));
      assertTrue(r.isInline(b("empty")) && r.isInline(b("small")));
      List<String> keys = new ArrayList<>();
      List<String> nested = new ArrayList<>();
      r.forEach(b("big"), (k, v) -> {
        keys.add(new String(k));
        if (v == null) {
          nested.add(new String(k));
        }
      });
      assertEquals(252, keys.size(), "250 odd keys, the overflow value, the nested bucket");
      assertEquals("key0001", keys.get(0));
      assertEquals(List.of("nested"), nested);
      assertArrayEquals(b("value1"), r.get(b("big"), b("key0001")));
      assertNull(r.get(b("big"), b("key0000")), "deleted in the second transaction");
      assertNull(r.get(b("big"), b("nested")), "a nested bucket has no value");
      assertArrayEquals(new byte[10_000], r.get(b("big"), b("overflow")));
      assertArrayEquals(b("1"), r.get(b("small"), b("a")));
      assertEquals(new SnapshotHash(3259014345L, 0, 253, 22 * 4096), SnapshotHash.status(r),
          "what etcdctl snapshot status -w json says of this file");
    }
  }
}
