package io.vetch.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The key index's slots: one per key, absent to readers until written, removed by compaction when empty. */
class TreeIndexTest {
  private static final byte[] ALL = {0};

  private static byte[] k(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aKeyKeepsItsSlotAndReadersKeepTheKeyIndexTheyGot() {
    TreeIndex t = new TreeIndex();
    TreeIndex.Slot s = t.slot(k("a"));
    assertNull(s.current());
    t.put(s, new Revision(1, 0));
    KeyIndex before = s.current();
    assertSame(s, t.slot(k("a")));
    t.put(t.slot(k("a")), new Revision(2, 0));
    assertEquals(new Revision(1, 0), before.get(1).modified()); // immutable: a reader's copy does not move
    assertEquals(2, t.get(k("a"), 2).ver());
    assertEquals(1, t.get(k("a"), 1).ver());
  }

  @Test
  void aSlotNeverWrittenIsAbsentAndCompactedAway() {
    TreeIndex t = new TreeIndex();
    t.put(t.slot(k("a")), new Revision(1, 0));
    TreeIndex.Slot empty = t.slot(k("b")); // a write that failed before its revision reached the index
    t.put(t.slot(k("c")), new Revision(2, 0));

    assertNull(t.get(k("b"), 5));
    TreeIndex.Revisions all = t.revisions(k("a"), ALL, 5, 0, false);
    assertEquals(List.of(new Revision(1, 0), new Revision(2, 0)), all.revs());
    assertEquals(2, all.total());
    assertEquals(List.of("a", "c"), t.keys(k("a"), ALL, 5).stream().map(String::new).toList());
    assertEquals(2, t.liveKeys());

    t.compact(2);
    assertNotSame(empty, t.slot(k("b")), "compaction removed the empty slot");
    assertEquals(2, t.revisions(k("a"), ALL, 5, 0, false).total());
  }

  @Test
  void tombstonedKeysAreCompactedAwayAndComeBackInANewSlot() {
    TreeIndex t = new TreeIndex();
    t.put(t.slot(k("a")), new Revision(1, 0));
    TreeIndex.Slot first = t.slot(k("a"));
    t.tombstone(k("a"), new Revision(2, 0));
    assertNull(t.get(k("a"), 2));
    assertEquals(List.of(new Revision(1, 0), new Revision(2, 0)), t.compact(2));
    assertNotSame(first, t.slot(k("a")));
    t.put(t.slot(k("a")), new Revision(3, 0));
    assertEquals(new Revision(3, 0), t.get(k("a"), 3).created());
  }
}
