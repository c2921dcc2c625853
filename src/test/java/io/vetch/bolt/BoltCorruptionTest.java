package io.vetch.bolt;

import static io.vetch.bolt.BoltFiles.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged and foreign files: each gives a BoltFormatException naming the problem and where, within a bounded time
 * and without allocating by a corrupt length. The fixture (page size 4096) has bucket "a" with 20,000 keys (three
 * levels: root branch, branches, leaves) and bucket "b" with a 1 MB value on overflow pages.
 */
class BoltCorruptionTest {
  private static final int PAGE = 4096;
  @TempDir Path dir;
  private Path file;
  private byte[] good;

  @BeforeEach
  void writeFixture() throws IOException {
    file = dir.resolve("fixture.db");
    try (BoltWriter w = new BoltWriter(file)) {
      w.bucket(b("a"), BoltFiles.generated(20_000, 30));
      w.bucket(b("b"), List.of(java.util.Map.entry(b("big"), BoltFiles.value(1, 1 << 20))).iterator());
    }
    good = Files.readAllBytes(file);
  }

  @Test
  void zeroLengthFile() throws IOException {
    Files.write(file, new byte[0]);
    assertMessage("file is 0 bytes, too short for a bbolt meta page");
  }

  @Test
  void textFile() throws IOException {
    Files.writeString(file, "This is not a database.\n".repeat(1000));
    assertMessage("no valid meta page: meta page 0 (offset 0): bad magic");
  }

  @Test
  void truncatedFiles() throws IOException {
    Files.write(file, java.util.Arrays.copyOf(good, good.length / 2));
    assertMessage("file is truncated: " + good.length / 2 + " bytes, but the meta (txid 1) has "
        + good.length / PAGE + " pages of 4096 bytes");
    Files.write(file, java.util.Arrays.copyOf(good, PAGE));
    assertMessage("file is truncated");
    Files.write(file, java.util.Arrays.copyOf(good, 100));
    assertMessage("file is truncated");
    Files.write(file, java.util.Arrays.copyOf(good, 50));
    assertMessage("too short");
  }

  @Test
  void badChecksumOnBothMetas() throws IOException {
    patch(b -> {
      b.put(16 + 48, (byte) 7);
      b.put(PAGE + 16 + 48, (byte) 7);
    });
    assertMessage("no valid meta page: meta page 0 (offset 0): checksum mismatch at offset 72; meta page 1 (offset"
        + " 4096): checksum mismatch at offset 4168");
  }

  @Test
  void oneBadMetaFallsBackToTheOther() throws IOException {
    patch(b -> b.put(PAGE + 40, (byte) 1));
    try (BoltReader r = BoltReader.open(file)) {
      assertEquals(0, r.txid(), "meta 1 (txid 1) is damaged: meta 0 serves");
      assertEquals(20_000, count(r, "a"));
    }
    Files.write(file, good);
    patch(b -> b.putInt(16, 0x12345678));
    try (BoltReader r = BoltReader.open(file)) {
      assertEquals(1, r.txid(), "meta 0 is damaged: meta 1, found at the page size, serves");
      assertEquals(20_000, count(r, "a"));
    }
  }

  @Test
  void badPageType() throws IOException {
    long leaf = firstPage(Layout.LEAF);
    patch(b -> b.putShort((int) (leaf * PAGE + 8), (short) 0x20));
    assertWalk("page " + leaf + " (offset " + leaf * PAGE + ") has page type 0x20 where a branch or leaf page"
        + " belongs");
  }

  @Test
  void branchPointsOutOfRange() throws IOException {
    long branch = firstPage(Layout.BRANCH);
    patch(b -> b.putLong((int) (branch * PAGE + 16 + 8), 1L << 40));
    assertWalk("page " + branch + " (offset " + branch * PAGE + ") element 0 (offset 16) points to page "
        + (1L << 40) + ", out of range [2, " + good.length / PAGE + ")");
  }

  @Test
  void branchPointingAtItselfIsACycle() throws IOException {
    long branch = firstPage(Layout.BRANCH);
    patch(b -> b.putLong((int) (branch * PAGE + 16 + 8), branch));
    assertWalk("page " + branch + " (page " + branch + " element 0) is referenced twice in one tree");
    try (BoltReader r = BoltReader.open(file)) {
      BoltFormatException e = assertThrows(BoltFormatException.class,
          () -> assertTimeoutPreemptively(Duration.ofSeconds(5), () -> r.get(b("a"), b("k"))));
      assertTrue(e.getMessage().contains("tree deeper than 64 levels"), e.getMessage());
    }
  }

  @Test
  void overlappingElements() throws IOException {
    long leaf = firstPage(Layout.LEAF);
    int at = (int) (leaf * PAGE + 16 + 16);
    patch(b -> b.putInt(at + 4, b.getInt(at - 16 + 4) - 16 + 3));
    assertWalk("page " + leaf + " (offset " + leaf * PAGE + ") element 1 (offset 32): key of 9 and value of 30"
        + " bytes at offset");
  }

  @Test
  void lengthsBeyondThePage() throws IOException {
    long leaf = firstPage(Layout.LEAF);
    patch(b -> b.putInt((int) (leaf * PAGE + 16 + 12), Integer.MAX_VALUE));
    assertWalk("run past the page's 4096 bytes");
    Files.write(file, good);
    patch(b -> b.putShort((int) (leaf * PAGE + 10), (short) 0xFFFE));
    assertWalk("has 65534 elements, more than its 4096 bytes hold");
    Files.write(file, good);
    patch(b -> b.putInt((int) (leaf * PAGE + 12), -1));
    assertWalk("overflow 4294967295 runs past the high-water mark");
  }

  @Test
  void freelistInBothForms() throws IOException {
    long free = good.length / PAGE - 1;
    patch(b -> b.putShort((int) (free * PAGE + 10), (short) 2).putLong((int) (free * PAGE + 16), 5)
        .putLong((int) (free * PAGE + 24), 9));
    try (BoltReader r = BoltReader.open(file)) {
      assertEquals(2, r.freePageCount());
    }
    patch(b -> b.putShort((int) (free * PAGE + 10), (short) 0xFFFF).putLong((int) (free * PAGE + 16), 3)
        .putLong((int) (free * PAGE + 24), 5).putLong((int) (free * PAGE + 32), 7)
        .putLong((int) (free * PAGE + 40), 9));
    try (BoltReader r = BoltReader.open(file)) {
      assertEquals(3, r.freePageCount());
    }
    patch(b -> b.putLong((int) (free * PAGE + 16), 1L << 40));
    assertMessage("freelist page " + free + " (offset " + free * PAGE + ") lists 1099511627776 ids, more than its"
        + " 4096 bytes hold");
    patch(b -> b.putLong((int) (free * PAGE + 16), 3).putLong((int) (free * PAGE + 32), 1L << 33));
    assertMessage("freelist page " + free + " (offset " + free * PAGE + ") id 1 (offset 32) is page 8589934592");
    patch(b -> b.putShort((int) (free * PAGE + 8), (short) Layout.LEAF));
    assertMessage("freelist page " + free + " (offset " + free * PAGE + ") has page type 0x02");
  }

  /**
   * Random single-bit damage in a smaller file (5,000 keys under one branch page, and an inline bucket), a third of
   * it in the meta pages: the reader either reads the file or says what is wrong, never more.
   */
  @Test
  void randomDamageNeverCrashesOrHangs() {
    assertTimeoutPreemptively(Duration.ofSeconds(40), () -> {
      try (BoltWriter w = new BoltWriter(file)) {
        w.bucket(b("a"), BoltFiles.generated(5_000, 30));
        w.bucket(b("c"), BoltFiles.generated(10, 10));
      }
      good = Files.readAllBytes(file);
      Random random = new Random(7);
      int failures = 0;
      List<Integer> pages = new ArrayList<>();
      for (long id = 0; id < good.length / PAGE; id++) {
        pages.add((int) id);
      }
      for (int i = 0; i < 400; i++) {
        byte[] damaged = good.clone();
        int page = i % 3 == 0 ? random.nextInt(2) : pages.get(random.nextInt(pages.size()));
        int offset = page * PAGE + (i % 2 == 0 ? random.nextInt(128) : random.nextInt(PAGE));
        damaged[offset] ^= (byte) (1 << random.nextInt(8));
        Files.write(file, damaged);
        try (BoltReader r = BoltReader.open(file)) {
          for (byte[] name : r.buckets()) {
            r.forEach(name, (k, v) -> { });
            r.get(name, BoltFiles.key(random.nextInt(5_000)));
          }
        } catch (BoltFormatException e) {
          failures++;
          assertTrue(e.getMessage().matches(".*(page|meta|file).*"), e.getMessage());
        }
      }
      System.out.println("random damage: " + failures + " of 400 damaged files rejected, the rest read");
      assertTrue(failures > 50, failures + " failures");
    });
  }

  private long firstPage(int type) {
    ByteBuffer b = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
    for (long id = 2; id < good.length / PAGE; id += 1 + b.getInt((int) (id * PAGE + 12))) {
      if (b.getShort((int) (id * PAGE + 8)) == type) {
        return id;
      }
    }
    throw new AssertionError("no page of type " + type);
  }

  private void patch(Consumer<ByteBuffer> change) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    change.accept(b);
    Files.write(file, b.array());
  }

  private void assertMessage(String expected) {
    BoltFormatException e = assertThrows(BoltFormatException.class,
        () -> assertTimeoutPreemptively(Duration.ofSeconds(5), () -> BoltReader.open(file).close()));
    assertTrue(e.getMessage().startsWith(expected) || e.getMessage().contains(expected), e.getMessage());
  }

  /** Opening works (the root bucket is intact); walking every bucket fails with expected in the message. */
  private void assertWalk(String expected) throws IOException {
    try (BoltReader r = BoltReader.open(file)) {
      BoltFormatException e = assertThrows(BoltFormatException.class,
          () -> assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (byte[] name : r.buckets()) {
              r.forEach(name, (k, v) -> { });
            }
          }));
      assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
  }

  private static int count(BoltReader r, String bucket) throws BoltFormatException {
    int[] n = {0};
    r.forEach(b(bucket), (k, v) -> n[0]++);
    return n[0];
  }

  @Test
  void fixtureIsGood() throws IOException {
    try (BoltReader r = BoltReader.open(file)) {
      assertEquals(20_000, count(r, "a"));
      assertArrayEquals(BoltFiles.value(1, 1 << 20), r.get(b("b"), b("big")));
      assertEquals(3, r.depth(b("a")));
    }
  }
}
