package io.vetch.bolt;

import static io.vetch.bolt.BoltFiles.b;
import static io.vetch.bolt.BoltFiles.key;
import static io.vetch.bolt.BoltFiles.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Files written by BoltWriter read back by BoltReader, entry for entry. */
class BoltRoundTripTest {
  @TempDir Path dir;

  @Test
  void noBucketsAtAll() throws IOException {
    Path f = dir.resolve("none.db");
    new BoltWriter(f).close();
    try (BoltReader r = BoltReader.open(f)) {
      assertEquals(List.of(), r.buckets());
      assertEquals(4, r.pageCount(), "2 metas, the root bucket's leaf, the freelist");
    }
  }

  @Test
  void emptyBucketAndOneKey() throws IOException {
    Path f = dir.resolve("small.db");
    try (BoltWriter w = new BoltWriter(f)) {
      w.bucket(b("empty"), Collections.emptyIterator());
      w.bucket(b("one"), List.of(Map.entry(b("k"), b("v"))).iterator());
    }
    try (BoltReader r = BoltReader.open(f)) {
      assertEquals(List.of("empty", "one"), BoltFiles.strings(r.buckets()));
      assertTrue(r.hasBucket(b("empty")));
      assertFalse(r.hasBucket(b("two")));
      r.forEach(b("empty"), (k, v) -> {
        throw new AssertionError("entry in an empty bucket");
      });
      assertArrayEquals(b("v"), r.get(b("one"), b("k")));
      assertNull(r.get(b("one"), b("j")));
      assertNull(r.get(b("one"), b("l")));
      assertNull(r.get(b("two"), b("k")));
      assertEquals(1, r.txid());
      assertEquals(4096, r.pageSize());
      assertEquals(0, r.freePageCount());
      assertEquals(1, r.depth(b("one")));
      assertTrue(r.isInline(b("empty")) && r.isInline(b("one")), "small buckets are inline, as in bbolt");
      assertEquals(4, r.pageCount(), "2 metas, the root bucket's leaf holding both buckets, the freelist");
      assertEquals(4 * 4096, Files.size(f));
    }
  }

  @Test
  void hundredThousandKeysInSeveralBucketsWithBranchLevels() throws IOException {
    Path f = dir.resolve("big.db");
    int[] sizes = {100_000, 20_000, 5_000};
    String[] names = {"alpha", "beta", "gamma"};
    long start = System.nanoTime();
    try (BoltWriter w = new BoltWriter(f)) {
      for (int i = 0; i < names.length; i++) {
        w.bucket(b(names[i]), BoltFiles.generated(sizes[i], 40));
      }
    }
    long wrote = System.nanoTime();
    try (BoltReader r = BoltReader.open(f)) {
      assertEquals(List.of(names), BoltFiles.strings(r.buckets()));
      for (int i = 0; i < names.length; i++) {
        int[] n = {0};
        r.forEach(b(names[i]), (k, v) -> {
          assertArrayEquals(key(n[0]), k);
          assertArrayEquals(value(n[0], 40), v);
          n[0]++;
        });
        assertEquals(sizes[i], n[0]);
      }
      Random random = new Random(1);
      for (int i = 0; i < 5_000; i++) {
        int k = random.nextInt(100_000);
        assertArrayEquals(value(k, 40), r.get(b("alpha"), key(k)));
      }
      assertNull(r.get(b("alpha"), b("k")));
      assertNull(r.get(b("alpha"), b("k99999999")));
      int depth = r.depth(b("alpha"));
      assertTrue(depth >= 3, "depth " + depth);
      System.out.printf("100k keys: file %d bytes, %d pages, alpha depth %d, beta depth %d; write %d ms, read %d ms%n",
          Files.size(f), r.pageCount(), depth, r.depth(b("beta")), (wrote - start) / 1_000_000,
          (System.nanoTime() - wrote) / 1_000_000);
    }
  }

  /** Pages reach the file while the entries are still coming: the writer does not gather a bucket in memory. */
  @Test
  void entriesAreStreamedToTheFile() throws IOException {
    Path f = dir.resolve("stream.db");
    long[] sizeHalfway = {0};
    Iterator<Map.Entry<byte[], byte[]>> inner = BoltFiles.generated(50_000, 100);
    Iterator<Map.Entry<byte[], byte[]>> watched = new Iterator<>() {
      int n;

      @Override
      public boolean hasNext() {
        return inner.hasNext();
      }

      @Override
      public Map.Entry<byte[], byte[]> next() {
        if (++n == 25_000) {
          try {
            sizeHalfway[0] = Files.size(f);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
        return inner.next();
      }
    };
    try (BoltWriter w = new BoltWriter(f)) {
      w.bucket(b("s"), watched);
    }
    long end = Files.size(f);
    assertTrue(sizeHalfway[0] > end * 4 / 10 && sizeHalfway[0] < end * 6 / 10, sizeHalfway[0] + " of " + end);
  }

  @Test
  void megabyteValuesGoToOverflowPages() throws IOException {
    Path f = dir.resolve("mb.db");
    NavigableMap<byte[], byte[]> m = BoltFiles.sorted();
    for (int i = 0; i < 20; i++) {
      m.put(key(i), value(i, i % 4 == 0 ? 1 << 20 : i % 4 == 1 ? 5000 : 10));
    }
    Map<byte[], NavigableMap<byte[], byte[]>> buckets = new LinkedHashMap<>();
    buckets.put(b("big"), m);
    BoltFiles.write(f, 4096, buckets);
    try (BoltReader r = BoltReader.open(f)) {
      assertEquals(buckets.keySet().size(), r.buckets().size());
      assertMapsEqual(m, BoltFiles.readAll(r).get(b("big")));
      assertArrayEquals(value(8, 1 << 20), r.get(b("big"), key(8)));
      assertTrue(Files.size(f) > 5 << 20 && Files.size(f) < 6 << 20, "size " + Files.size(f));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {512, 1024, 4096, 16384, 65536})
  void binaryKeysAtEveryPageSize(int pageSize) throws IOException {
    Random random = new Random(pageSize);
    Map<byte[], NavigableMap<byte[], byte[]>> buckets = new java.util.TreeMap<>(Arrays::compareUnsigned);
    for (int n = 0; n < 4; n++) {
      NavigableMap<byte[], byte[]> m = BoltFiles.sorted();
      for (int i = 0; i < 3000; i++) {
        byte[] k = new byte[1 + random.nextInt(i % 100 == 0 ? 2000 : 20)];
        random.nextBytes(k);
        byte[] v = new byte[random.nextInt(i % 50 == 0 ? 20000 : 100)];
        random.nextBytes(v);
        m.put(k, v);
      }
      m.put(new byte[] {0}, new byte[0]);
      m.put(new byte[] {(byte) 0xFF, (byte) 0xFF}, new byte[] {0});
      byte[] name = new byte[1 + random.nextInt(10)];
      random.nextBytes(name);
      buckets.put(name, m);
    }
    Path f = dir.resolve("bin.db");
    BoltFiles.write(f, pageSize, buckets);
    try (BoltReader r = BoltReader.open(f)) {
      assertEquals(pageSize, r.pageSize());
      Map<byte[], NavigableMap<byte[], byte[]>> read = BoltFiles.readAll(r);
      assertEquals(buckets.size(), read.size());
      for (byte[] name : buckets.keySet()) {
        assertMapsEqual(buckets.get(name), read.get(name));
        for (Map.Entry<byte[], byte[]> e : buckets.get(name).entrySet()) {
          assertArrayEquals(e.getValue(), r.get(name, e.getKey()));
        }
      }
    }
  }

  @Test
  void bucketsUpToAQuarterPageAreInline() throws IOException {
    Path f = dir.resolve("inline.db");
    // 10 entries of 9-byte keys and v-byte values make a leaf of 16 + 10 * (16 + 9 + v) bytes: 1016 for v = 75,
    // within 4096 / 4 (bbolt's maxInlineBucketSize); 1026 for v = 76, beyond it.
    try (BoltWriter w = new BoltWriter(f)) {
      w.bucket(b("at"), BoltFiles.generated(10, 75));
      w.bucket(b("over"), BoltFiles.generated(10, 76));
    }
    try (BoltReader r = BoltReader.open(f)) {
      assertTrue(r.isInline(b("at")));
      assertFalse(r.isInline(b("over")));
      for (String name : List.of("at", "over")) {
        int[] n = {0};
        r.forEach(b(name), (k, v) -> assertArrayEquals(key(n[0]++), k));
        assertEquals(10, n[0]);
        assertArrayEquals(value(3, name.equals("at") ? 75 : 76), r.get(b(name), key(3)));
      }
    }
  }

  @Test
  void writerRefusesUnorderedOrEmptyKeysAndNames() throws IOException {
    Path f = dir.resolve("bad.db");
    try (BoltWriter w = new BoltWriter(f)) {
      assertThrows(IllegalArgumentException.class,
          () -> w.bucket(b("x"), List.of(Map.entry(b("b"), b("")), Map.entry(b("a"), b(""))).iterator()));
      assertThrows(IllegalStateException.class, () -> w.bucket(b("y"), Collections.emptyIterator()));
    }
    assertThrows(BoltFormatException.class, () -> BoltReader.open(f), "a failed writer leaves no meta pages");
    try (BoltWriter w = new BoltWriter(f)) {
      assertThrows(IllegalArgumentException.class,
          () -> w.bucket(b("x"), List.of(Map.entry(b("a"), b("")), Map.entry(b("a"), b(""))).iterator()));
    }
    try (BoltWriter w = new BoltWriter(f)) {
      assertThrows(IllegalArgumentException.class,
          () -> w.bucket(b("x"), List.of(Map.entry(new byte[0], b(""))).iterator()));
    }
    try (BoltWriter w = new BoltWriter(f)) {
      w.bucket(b("b"), Collections.emptyIterator());
      assertThrows(IllegalArgumentException.class, () -> w.bucket(b("a"), Collections.emptyIterator()));
    }
    try (BoltWriter w = new BoltWriter(f)) {
      w.bucket(b("b"), Collections.emptyIterator());
      assertThrows(IllegalArgumentException.class, () -> w.bucket(b("b"), Collections.emptyIterator()));
    }
    assertThrows(IllegalArgumentException.class, () -> new BoltWriter(f, 1000));
  }

  static void assertMapsEqual(NavigableMap<byte[], byte[]> expected, NavigableMap<byte[], byte[]> actual) {
    assertEquals(expected.size(), actual.size());
    var a = actual.entrySet().iterator();
    for (Map.Entry<byte[], byte[]> e : expected.entrySet()) {
      Map.Entry<byte[], byte[]> got = a.next();
      assertArrayEquals(e.getKey(), got.getKey());
      assertArrayEquals(e.getValue(), got.getValue());
    }
  }
}
