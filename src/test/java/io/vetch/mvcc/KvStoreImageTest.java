package io.vetch.mvcc;

import static io.vetch.mvcc.StoreFixture.SMALL;
import static io.vetch.mvcc.StoreFixture.b;
import static io.vetch.mvcc.StoreFixture.delete;
import static io.vetch.mvcc.StoreFixture.get;
import static io.vetch.mvcc.StoreFixture.put;
import static io.vetch.mvcc.KvStoreTest.assertKv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvStoreImageTest {
  private static final byte[] ALL = {0};

  @TempDir
  Path tmp;

  /** History with overwrites, deletes, a multi-op txn and a compaction whose physical deletes are half done. */
  private static void fillSource(KvStore s) throws Exception {
    put(s, 1, "a", "1");          // rev 2
    put(s, 2, "b", "1");          // rev 3
    put(s, 3, "a", "2");          // rev 4
    delete(s, 4, "b");            // rev 5
    put(s, 5, "c", "1");          // rev 6
    WriteTxn t = s.write(6);      // rev 7
    t.put(b("d"), b("1"), 0);
    t.put(b("a"), b("3"), 0);
    t.deleteRange(b("c"), null);
    t.end();
    s.compact(5, 7);              // removes a@2 and b's generation b@3, b@5
    s.compactStep(1);             // one of them deleted, two still pending
    put(s, 8, "b", "2");          // rev 8
    s.setConsistentIndex(9);
  }

  /** Everything observable: counters, every range at every readable revision, all events. */
  private static List<Object> dump(KvStore s) throws Exception {
    List<Object> out = new ArrayList<>();
    out.add(List.of(s.currentRevision(), s.compactRevision(), s.consistentIndex(), s.keyCount(),
        s.revisionCount(), s.sizeBytes()));
    long from = Math.max(1, s.compactRevision());
    for (long rev = from; rev <= s.currentRevision(); rev++) {
      out.add(s.range(ALL, ALL, rev, 0, false));
    }
    out.add(s.events(from, Long.MAX_VALUE, Integer.MAX_VALUE));
    return out;
  }

  private Path sourceImage(List<Object> sourceDump) throws Exception {
    Path image = tmp.resolve("snap-9.img");
    try (KvStore src = KvStore.open(tmp.resolve("src"), SMALL)) {
      fillSource(src);
      sourceDump.addAll(dump(src));
      assertEquals(image, src.writeImage(image));
    }
    assertFalse(Files.exists(tmp.resolve("snap-9.img.tmp")));
    return image;
  }

  @Test
  void restoreIntoEmptyStoreReproducesEveryRevision() throws Exception {
    List<Object> expected = new ArrayList<>();
    Path image = sourceImage(expected);
    Path target = tmp.resolve("target");
    try (KvStore s = KvStore.open(target, SMALL)) {
      s.restoreImage(image).close();
      assertEquals(expected, dump(s));
      assertEquals(List.of(8L, 5L, 9L), List.of(s.currentRevision(), s.compactRevision(), s.consistentIndex()));
      assertThrows(CompactedException.class, () -> s.range(ALL, ALL, 4, 0, false));
      assertKv(get(s, "a", 5), "2", 2, 4, 2);
      assertNull(get(s, "b", 5));
      while (!s.compactStep(1)) {
        // the pending compacted records came along and are deleted here
      }
      assertEquals(6, s.revisionCount());
      assertEquals(9, put(s, 10, "a", "4"));
      assertKv(get(s, "a", 0), "4", 2, 9, 4);
    }
    try (KvStore s = KvStore.open(target, SMALL)) {
      assertEquals(9, s.currentRevision());
      assertEquals(10, s.consistentIndex());
      assertKv(get(s, "a", 0), "4", 2, 9, 4);
      assertKv(get(s, "d", 7), "1", 7, 7, 1);
    }
  }

  @Test
  void restoredStoreReopensIdentical() throws Exception {
    List<Object> expected = new ArrayList<>();
    Path image = sourceImage(expected);
    Path target = tmp.resolve("target");
    try (KvStore s = KvStore.open(target, SMALL)) {
      s.restoreImage(image).close();
    }
    try (KvStore s = KvStore.open(target, SMALL)) {
      assertEquals(expected, dump(s));
    }
  }

  @Test
  void restoreOverNonEmptyStoreReplacesIt() throws Exception {
    List<Object> expected = new ArrayList<>();
    Path image = sourceImage(expected);
    Path target = tmp.resolve("target");
    try (KvStore s = KvStore.open(target, SMALL)) {
      for (int i = 0; i < 50; i++) {
        put(s, 100 + i, "other-" + i, "v" + i);
      }
      s.compact(20, 150);
      s.restoreImage(image).close();
      assertEquals(expected, dump(s));
      assertEquals(0, s.range(b("other-"), b("other."), 0, 0, true).count());
      s.restoreImage(image).close(); // a second restore replaces the first one's backend directory
      assertEquals(expected, dump(s));
    }
    assertEquals(List.of("CURRENT", "backend-2"), listing(target), "old backend files deleted");
    try (KvStore s = KvStore.open(target, SMALL)) {
      assertEquals(expected, dump(s));
    }
  }

  @Test
  void imageOfEmptyStoreEmptiesTheTarget() throws Exception {
    Path image = tmp.resolve("empty.img");
    List<Object> empty;
    try (KvStore src = KvStore.open(tmp.resolve("src"), SMALL)) {
      src.writeImage(image);
      empty = dump(src);
    }
    try (KvStore s = KvStore.open(tmp.resolve("target"), SMALL)) {
      fillSource(s);
      s.restoreImage(image).close();
      assertEquals(empty, dump(s));
      assertEquals(2, put(s, 1, "x", "1"));
    }
  }

  @Test
  void corruptImageThrowsAndLeavesTargetUntouched() throws Exception {
    Path image = sourceImage(new ArrayList<>());
    byte[] good = Files.readAllBytes(image);
    List<UnaryOperator<byte[]>> damages = List.of(
        bytes -> flip(bytes, 0),                          // magic
        bytes -> flip(bytes, 5),                          // version
        bytes -> flip(bytes, 12),                         // consistent index
        bytes -> flip(bytes, 39),                         // record count
        bytes -> flip(bytes, StoreImage.HEADER_BYTES),    // first record's length
        bytes -> flip(bytes, bytes.length / 2),           // inside the records
        bytes -> flip(bytes, bytes.length - 1),           // CRC
        bytes -> Arrays.copyOf(bytes, bytes.length - 1),  // truncated CRC
        bytes -> Arrays.copyOf(bytes, bytes.length / 2),  // truncated records
        bytes -> Arrays.copyOf(bytes, 10),                // truncated header
        bytes -> Arrays.copyOf(bytes, bytes.length + 1)); // trailing garbage
    Path target = tmp.resolve("target");
    List<Object> before;
    try (KvStore s = KvStore.open(target, SMALL)) {
      put(s, 1, "x", "1");
      delete(s, 2, "x");
      put(s, 3, "y", "1");
      before = dump(s);
      for (int i = 0; i < damages.size(); i++) {
        Path bad = tmp.resolve("bad-" + i + ".img");
        Files.write(bad, damages.get(i).apply(good.clone()));
        int n = i;
        assertThrows(IOException.class, () -> s.restoreImage(bad), () -> "damage " + n);
        assertEquals(before, dump(s), "damage " + i);
      }
      assertEquals(List.of("meta.cm3", "revisions.cm3"), listing(target), "no half-built backend left");
      assertEquals(5, put(s, 4, "z", "1"), "store still writable");
    }
    try (KvStore s = KvStore.open(target, SMALL)) {
      assertEquals(5, s.currentRevision());
      assertKv(get(s, "y", 0), "1", 4, 4, 1);
    }
  }

  @Test
  void crashAroundTheSwitchOpensOneWholeStore() throws Exception {
    List<Object> expected = new ArrayList<>();
    Path image = sourceImage(expected);
    Path target = tmp.resolve("target");
    try (KvStore s = KvStore.open(target, SMALL)) {
      put(s, 1, "x", "1");
    }
    // crash before the switch: a half-built backend directory, no pointer yet
    Files.createDirectories(target.resolve("backend-1"));
    Files.write(target.resolve("backend-1").resolve("revisions.cm3"), new byte[] {1, 2, 3});
    try (KvStore s = KvStore.open(target, SMALL)) {
      assertKv(get(s, "x", 0), "1", 2, 2, 1);
      assertEquals(List.of("meta.cm3", "revisions.cm3"), listing(target));
      s.restoreImage(image).close();
    }
    assertEquals(List.of("CURRENT", "backend-1"), listing(target));
    // crash after the switch, before the old backend files were deleted; plus a later restore's half-built
    // directory and pointer temp file
    Files.write(target.resolve("meta.cm3"), new byte[] {1});
    Files.createDirectories(target.resolve("backend-3"));
    Files.write(target.resolve("CURRENT.tmp"), new byte[] {1});
    try (KvStore s = KvStore.open(target, SMALL)) {
      assertEquals(expected, dump(s));
    }
    assertEquals(List.of("CURRENT", "backend-1"), listing(target));
  }

  @Test
  void imageAndRestoreRefuseAnOpenTxn() throws Exception {
    try (KvStore s = KvStore.open(tmp.resolve("s"), SMALL)) {
      WriteTxn t = s.write(1);
      assertThrows(IllegalStateException.class, () -> s.writeImage(tmp.resolve("x.img")));
      assertThrows(IllegalStateException.class, () -> s.restoreImage(tmp.resolve("x.img")));
      t.end();
      assertTrue(Files.exists(s.writeImage(tmp.resolve("x.img"))));
    }
  }

  private static byte[] flip(byte[] bytes, int offset) {
    bytes[offset] ^= 0x40;
    return bytes;
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
