package io.vetch.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The checker on hand-made histories: linearizable ones pass, each kind of anomaly is caught. */
class HistoryCheckerTest {
  static final long INF = Long.MAX_VALUE;

  static Op put(int c, String k, String v, long call, long ret, long rev) {
    return new Op(c, Op.Kind.PUT, k, v, 0, 0, call, ret, ret != INF, false, rev, 0);
  }

  static Op leasePut(int c, String k, String v, long lease, long call, long ret, long rev) {
    return new Op(c, Op.Kind.LEASE_PUT, k, v, lease, 0, call, ret, true, false, rev, 0);
  }

  static Op get(int c, String k, String v, long mod, long call, long ret, long rev) {
    return new Op(c, Op.Kind.GET, k, v, 0, 0, call, ret, true, false, rev, mod);
  }

  static Op del(int c, String k, boolean deleted, long call, long ret, long rev) {
    return new Op(c, Op.Kind.DELETE, k, null, 0, 0, call, ret, ret != INF, deleted, rev, 0);
  }

  static Op cas(int c, String k, String v, long expect, boolean ok, long call, long ret, long rev) {
    return new Op(c, Op.Kind.CAS, k, v, 0, expect, call, ret, true, ok, rev, 0);
  }

  static Op revoke(int c, long lease, long call, long ret, long rev) {
    return new Op(c, Op.Kind.LEASE_REVOKE, null, null, lease, 0, call, ret, true, false, rev, 0);
  }

  static List<String> anomalies(Op... ops) {
    return HistoryChecker.check(List.of(ops)).anomalies();
  }

  @Test
  void sequentialHistoryPasses() {
    assertEquals(List.of(), anomalies(put(0, "a", "1", 0, 10, 2), get(1, "a", "1", 2, 20, 30, 2),
        cas(0, "a", "2", 2, true, 40, 50, 3), get(1, "a", "2", 3, 60, 70, 3), del(0, "a", true, 80, 90, 4),
        get(1, "a", null, 0, 100, 110, 4), del(0, "a", false, 120, 130, 4)));
  }

  @Test
  void concurrentReadMaySeeEitherValue() {
    assertEquals(List.of(), anomalies(put(0, "a", "1", 0, 10, 2), put(0, "a", "2", 20, 60, 3),
        get(1, "a", "1", 2, 25, 30, 2), get(2, "a", "2", 3, 30, 70, 3)));
  }

  @Test
  void staleReadIsCaught() {
    List<String> a = anomalies(put(0, "a", "1", 0, 10, 2), put(0, "a", "2", 20, 30, 3),
        get(1, "a", "1", 2, 40, 50, 3));
    assertTrue(a.stream().anyMatch(s -> s.contains("key a is not linearizable")), a.toString());
  }

  @Test
  void lostAcknowledgedWriteIsCaught() {
    List<String> a = anomalies(put(0, "a", "1", 0, 10, 2), get(1, "a", null, 0, 20, 30, 2));
    assertTrue(a.stream().anyMatch(s -> s.contains("not linearizable")), a.toString());
  }

  @Test
  void writeOfUnknownOutcomeMayOrMayNotHaveHappened() {
    assertEquals(List.of(), anomalies(put(0, "a", "1", 0, INF, 0), get(1, "a", null, 0, 20, 30, 1)));
    assertEquals(List.of(), anomalies(put(0, "a", "1", 0, INF, 0), get(1, "a", "1", 2, 20, 30, 2)));
    // but once read, it happened: it cannot disappear again
    List<String> a = anomalies(put(0, "a", "1", 0, INF, 0), get(1, "a", "1", 2, 20, 30, 2),
        get(1, "a", null, 0, 40, 50, 2));
    assertTrue(a.stream().anyMatch(s -> s.contains("not linearizable")), a.toString());
  }

  @Test
  void casAgainstTheWrongRevisionIsCaught() {
    List<String> a = anomalies(put(0, "a", "1", 0, 10, 2), cas(1, "a", "2", 7, true, 20, 30, 3));
    assertTrue(a.stream().anyMatch(s -> s.contains("not linearizable")), a.toString());
    assertEquals(List.of(), anomalies(put(0, "a", "1", 0, 10, 2), cas(1, "a", "2", 7, false, 20, 30, 2)));
  }

  @Test
  void leaseRevokeDeletesItsKeysOnly() {
    assertEquals(List.of(), anomalies(leasePut(0, "a", "1", 9, 0, 10, 2), put(0, "b", "x", 12, 14, 3),
        revoke(0, 9, 20, 30, 4), get(1, "a", null, 0, 40, 50, 4), get(1, "b", "x", 3, 40, 50, 4)));
    List<String> a = anomalies(leasePut(0, "a", "1", 9, 0, 10, 2), revoke(0, 9, 20, 30, 3),
        get(1, "a", "1", 2, 40, 50, 3));
    assertTrue(a.stream().anyMatch(s -> s.contains("not linearizable")), a.toString());
  }

  @Test
  void theKeysOfOneTxnShareARevision() {
    Op a = new Op(0, Op.Kind.PUT, "a", "1", 0, 0, 0, 10, true, false, 2, 0, 77);
    Op b = new Op(0, Op.Kind.PUT, "b", "2", 0, 0, 0, 10, true, false, 2, 0, 77);
    assertEquals(List.of(), anomalies(a, b, get(1, "a", "1", 2, 20, 30, 2), get(1, "b", "2", 2, 20, 30, 2)));
  }

  @Test
  void revisionAnomaliesAreCaught() {
    assertTrue(anomalies(put(0, "a", "1", 0, 10, 2), put(1, "b", "2", 5, 15, 2)).stream()
        .anyMatch(s -> s.startsWith("two writes at revision 2")));
    assertTrue(anomalies(put(0, "a", "1", 0, 10, 5), put(1, "b", "2", 20, 30, 4)).stream()
        .anyMatch(s -> s.contains("revision went back")));
    assertTrue(anomalies(put(0, "a", "1", 0, 10, 5), get(1, "a", "1", 6, 20, 30, 6)).stream()
        .anyMatch(s -> s.contains("written at revision 5")));
  }

  @Test
  void randomSequentialRegisterHistoriesPassAndAMutationIsCaught() {
    Random rnd = new Random(42);
    for (int round = 0; round < 50; round++) {
      List<Op> ops = new ArrayList<>();
      String value = null;
      long mod = 0;
      long rev = 1;
      long t = 0;
      for (int i = 0; i < 40; i++) {
        int c = rnd.nextInt(4);
        switch (rnd.nextInt(3)) {
          case 0 -> {
            value = "v" + round + "-" + i;
            mod = ++rev;
            ops.add(put(c, "k", value, t, t + 5, rev));
          }
          case 1 -> ops.add(get(c, "k", value, value == null ? 0 : mod, t, t + 5, rev));
          default -> {
            boolean had = value != null;
            if (had) {
              rev++;
            }
            ops.add(del(c, "k", had, t, t + 5, rev));
            value = null;
          }
        }
        t += 10;
      }
      assertEquals(List.of(), HistoryChecker.check(ops).anomalies(), "round " + round);
      // A read that returns the value before the latest write is caught.
      int last = ops.size() - 1;
      Op lastPut = null;
      Op prevPut = null;
      for (Op o : ops) {
        if (o.kind() == Op.Kind.PUT) {
          prevPut = lastPut;
          lastPut = o;
        }
      }
      if (prevPut != null) {
        List<Op> bad = new ArrayList<>(ops);
        bad.add(get(9, "k", prevPut.value(), prevPut.revision(), t + 100, t + 105, ops.get(last).revision()));
        List<String> a = HistoryChecker.check(bad).anomalies();
        assertTrue(!a.isEmpty(), "round " + round + " missed a stale read");
      }
    }
  }
}
