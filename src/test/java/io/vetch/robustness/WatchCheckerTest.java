package io.vetch.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.robustness.WatchChecker.Event;
import io.vetch.robustness.WatchChecker.Log;
import io.vetch.robustness.WatchChecker.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The watch checker on hand-made logs. */
class WatchCheckerTest {
  static Response r(Event... es) {
    return new Response(es[es.length - 1].revision(), false, List.of(es));
  }

  static Event put(long rev, String k, String v) {
    return new Event(rev, k, true, v);
  }

  static List<Op> history() {
    return List.of(HistoryCheckerTest.put(0, "a", "1", 0, 10, 2), HistoryCheckerTest.put(0, "b", "2", 20, 30, 3),
        HistoryCheckerTest.del(0, "a", true, 40, 50, 4));
  }

  @Test
  void completeLogsPass() {
    Log a = new Log("w1", 2, List.of(r(put(2, "a", "1")), r(put(3, "b", "2"), new Event(4, "a", false, null))));
    Log b = new Log("w2", 3, List.of(r(put(3, "b", "2")), new Response(3, true, List.of()),
        r(new Event(4, "a", false, null))));
    assertEquals(List.of(), WatchChecker.check(List.of(a, b), history()));
  }

  @Test
  void gapsDuplicatesDisorderAndDisagreementAreCaught() {
    Log gap = new Log("gap", 2, List.of(r(put(2, "a", "1")), r(new Event(4, "a", false, null))));
    assertTrue(WatchChecker.check(List.of(gap), history()).stream().anyMatch(s -> s.contains("3..3 missing")));
    Log dup = new Log("dup", 2, List.of(r(put(2, "a", "1")), r(put(2, "a", "1")), r(put(3, "b", "2"))));
    assertTrue(WatchChecker.check(List.of(dup), history()).stream().anyMatch(s -> s.contains("twice")));
    Log lostWrite = new Log("lost", 2, List.of(r(put(2, "a", "1")), r(put(3, "b", "WRONG"))));
    assertTrue(WatchChecker.check(List.of(lostWrite), history()).stream().anyMatch(s -> s.contains("missed")));
    Log x = new Log("x", 2, List.of(r(put(2, "a", "1"))));
    Log y = new Log("y", 2, List.of(r(put(2, "a", "other"))));
    assertTrue(WatchChecker.check(List.of(x, y), List.of()).stream().anyMatch(s -> s.contains("another watcher")));
    Log progress = new Log("p", 2, List.of(new Response(3, true, List.of()), r(put(3, "b", "2"))));
    assertTrue(WatchChecker.check(List.of(progress), List.of()).stream()
        .anyMatch(s -> s.contains("after a progress notification")));
  }
}
