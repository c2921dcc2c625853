package io.vetch.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogTermsTest {
  private static LogTerms log(long... termsFromIndexOne) {
    LogTerms t = new LogTerms();
    for (int i = 0; i < termsFromIndexOne.length; i++) {
      assertTrue(t.append(i + 1, termsFromIndexOne[i]));
    }
    return t;
  }

  @Test
  void termsAsRunsWithTruncation() {
    LogTerms t = log(1, 1, 2, 2, 3);
    assertEquals(1, t.termAt(2));
    assertEquals(2, t.termAt(3));
    assertEquals(3, t.termAt(5));
    assertEquals(LogTerms.UNKNOWN, t.termAt(6));
    assertTrue(t.append(3, 4));
    assertEquals(3, t.lastIndex());
    assertEquals(4, t.termAt(3));
    assertEquals(LogTerms.UNKNOWN, t.termAt(4));
    assertFalse(t.append(5, 4), "gap");
    assertEquals(3, t.lastIndex());
  }

  @Test
  void matchingSnapshotKeepsTheEntriesAfterIt() {
    LogTerms t = log(1, 1, 2, 2, 3);
    assertFalse(t.snapshot(3, 2));
    assertEquals(4, t.firstIndex());
    assertEquals(5, t.lastIndex());
    assertEquals(2, t.termAt(3));
    assertEquals(2, t.termAt(4));
    assertEquals(LogTerms.UNKNOWN, t.termAt(2));
    assertTrue(t.append(2, 9), "entries at or below the snapshot are ignored");
    assertEquals(5, t.lastIndex());
  }

  @Test
  void divergentSnapshotDiscardsEverything() {
    LogTerms t = log(1, 1, 2, 2, 3);
    assertTrue(t.snapshot(4, 5));
    assertEquals(4, t.lastIndex());
    assertEquals(5, t.firstIndex());
  }

  @Test
  void snapshotAtAnUnknownIndexKeepsLaterEntries() {
    LogTerms t = new LogTerms();
    assertTrue(t.append(11, 1)); // first segment left after a purge
    assertTrue(t.append(12, 1));
    assertFalse(t.snapshot(10, 1));
    assertEquals(11, t.firstIndex());
    assertEquals(12, t.lastIndex());
  }
}
