package io.vetch.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** etcd's key_index_test scenarios: generations, get at revisions, compaction's keep rules. */
class KeyIndexTest {
  /** puts at 2, 4, tombstone 6; puts 8, 10, tombstone 12; puts 14, 16 (etcd's newTestKeyIndex shape). */
  private static KeyIndex sample() {
    KeyIndex ki = KeyIndex.create(new byte[] {'f', 'o', 'o'});
    ki = ki.put(rev(2)).put(rev(4)).tombstone(rev(6));
    ki = ki.put(rev(8)).put(rev(10)).tombstone(rev(12));
    return ki.put(rev(14)).put(rev(16));
  }

  private static Revision rev(long main) {
    return new Revision(main, 0);
  }

  @Test
  void getWalksGenerations() {
    KeyIndex ki = sample();
    assertNull(ki.get(1));
    assertEquals(new KeyIndex.Hit(rev(2), rev(2), 1), ki.get(3));
    assertEquals(new KeyIndex.Hit(rev(4), rev(2), 2), ki.get(5));
    assertNull(ki.get(6), "tombstone");
    assertNull(ki.get(7));
    assertEquals(new KeyIndex.Hit(rev(10), rev(8), 2), ki.get(11));
    assertNull(ki.get(13));
    assertEquals(new KeyIndex.Hit(rev(16), rev(14), 2), ki.get(100));
  }

  @Test
  void oldViewsStayIntactWhileTheWriterAppends() {
    KeyIndex v1 = KeyIndex.create(new byte[] {'k'}).put(rev(2));
    KeyIndex v2 = v1.put(rev(3));
    KeyIndex v3 = v2.put(rev(4));
    assertEquals(new KeyIndex.Hit(rev(2), rev(2), 1), v1.get(100));
    assertEquals(new KeyIndex.Hit(rev(3), rev(2), 2), v2.get(100));
    assertEquals(new KeyIndex.Hit(rev(4), rev(2), 3), v3.get(100));
    KeyIndex branch = v1.put(rev(5)); // not the newest view: must copy, not overwrite v2's slot
    assertEquals(new KeyIndex.Hit(rev(3), rev(2), 2), v2.get(100));
    assertEquals(new KeyIndex.Hit(rev(5), rev(2), 2), branch.get(100));
    assertThrows(IllegalStateException.class, () -> v3.put(rev(4)), "revisions only grow");
  }

  @Test
  void compactFollowsEtcdKeepRules() {
    List<Revision> removed = new ArrayList<>();
    KeyIndex ki = sample();
    assertSame(ki, ki.compact(1, removed));
    assertEquals(List.of(), removed);

    KeyIndex c5 = ki.compact(5, removed);
    assertEquals(List.of(rev(2)), removed, "4 is the newest at 5: kept");
    assertEquals(new KeyIndex.Hit(rev(4), rev(2), 2), c5.get(5));

    removed.clear();
    KeyIndex c6 = ki.compact(6, removed);
    assertEquals(List.of(rev(2), rev(4), rev(6)), removed, "a tombstone is never kept");
    assertNull(c6.get(7));
    assertEquals(new KeyIndex.Hit(rev(10), rev(8), 2), c6.get(10));

    removed.clear();
    KeyIndex c15 = ki.compact(15, removed);
    assertEquals(List.of(rev(2), rev(4), rev(6), rev(8), rev(10), rev(12)), removed);
    assertEquals(new KeyIndex.Hit(rev(14), rev(14), 1), c15.get(15));
    assertEquals(new KeyIndex.Hit(rev(16), rev(14), 2), c15.get(16));

    removed.clear();
    KeyIndex gone = KeyIndex.create(new byte[] {'k'}).put(rev(2)).tombstone(rev(3)).compact(3, removed);
    assertTrue(gone.isEmpty());
    assertEquals(List.of(rev(2), rev(3)), removed);
  }
}
