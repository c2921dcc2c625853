package io.vetch.robustness;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a recorded history against etcd's model. Values written are unique, which ties every read to one write.
 * <ul>
 *   <li>Revisions, across keys: every single-key write that answered has a revision of its own; an operation that
 *   returned before another was called has a revision no greater (strictly less, between writes); a value is
 *   read with the revision its put got.</li>
 *   <li>Per key: the history (with the lease revokes that can delete the key) is linearizable against
 *   {@link KeyModel} (a put whose answer was lost takes the revision its value was read with, if it was).</li>
 * </ul>
 * Returns the anomalies found, empty when the history is correct.
 */
final class HistoryChecker {
  private HistoryChecker() {}

  record Result(List<String> anomalies, int keys, int gaveUp) {}

  static Result check(List<Op> ops) {
    List<String> anomalies = new ArrayList<>();
    Map<String, Long> valueRevision = new HashMap<>();
    for (Op op : ops) {
      if (op.ok() && (op.kind() == Op.Kind.PUT || op.kind() == Op.Kind.LEASE_PUT
          || op.kind() == Op.Kind.CAS && op.succeeded())) {
        valueRevision.put(op.value(), op.revision());
      }
    }
    for (Op op : ops) {
      if (op.kind() == Op.Kind.GET && op.value() != null) {
        Long known = valueRevision.putIfAbsent(op.value(), op.modRevision());
        if (known != null && known != op.modRevision()) {
          anomalies.add("read " + op + " but the value was written at revision " + known);
        }
      }
    }
    checkRevisions(ops, anomalies);
    Map<String, List<Op>> byKey = new TreeMap<>();
    Map<Long, Set<String>> leaseKeys = new HashMap<>();
    for (Op op : ops) {
      if (op.key() != null) {
        byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      }
      if (op.kind() == Op.Kind.LEASE_PUT) {
        leaseKeys.computeIfAbsent(op.lease(), l -> new HashSet<>()).add(op.key());
      }
    }
    for (Op op : ops) {
      if (op.kind() == Op.Kind.LEASE_REVOKE) {
        leaseKeys.getOrDefault(op.lease(), Set.of()).forEach(k -> byKey.get(k).add(op));
      }
    }
    int gaveUp = 0;
    for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
      List<Op> h = e.getValue().stream().filter(o -> o.kind() != Op.Kind.GET || o.ok()).toList();
      Linearizability.Verdict v = Linearizability.check(h, op -> op.ok() && op.kind() != Op.Kind.GET
          ? op.revision() : valueRevision.getOrDefault(op.value(), -1L));
      if (v == Linearizability.Verdict.ILLEGAL) {
        StringBuilder b = new StringBuilder("key " + e.getKey() + " is not linearizable; its history:");
        h.stream().sorted(Comparator.comparingLong(Op::called)).limit(60).forEach(o -> b.append("\n    ").append(o));
        anomalies.add(b.toString());
      } else if (v == Linearizability.Verdict.GAVE_UP) {
        gaveUp++;
        anomalies.add("key " + e.getKey() + ": the search gave up after " + Linearizability.STEP_LIMIT + " steps");
      }
    }
    return new Result(anomalies, byKey.size(), gaveUp);
  }

  /** The cross-key revision rules. */
  private static void checkRevisions(List<Op> ops, List<String> anomalies) {
    Map<Long, Op> byRevision = new HashMap<>();
    List<Op> answered = new ArrayList<>();
    for (Op op : ops) {
      if (!op.ok()) {
        continue;
      }
      answered.add(op);
      boolean createsRevision = op.kind() == Op.Kind.PUT || op.kind() == Op.Kind.LEASE_PUT
          || (op.kind() == Op.Kind.CAS || op.kind() == Op.Kind.DELETE) && op.succeeded();
      if (createsRevision) {
        Op other = byRevision.put(op.revision(), op);
        if (other != null && (op.group() == 0 || other.group() != op.group())) {
          anomalies.add("two writes at revision " + op.revision() + ": " + other + " and " + op);
        }
      }
    }
    // Real time: sweep by call time, keeping the largest revision of operations already returned.
    answered.sort(Comparator.comparingLong(Op::called));
    List<Op> byReturn = new ArrayList<>(answered);
    byReturn.sort(Comparator.comparingLong(Op::returned));
    int r = 0;
    Op maxWrite = null;
    Op maxAny = null;
    for (Op op : answered) {
      while (r < byReturn.size() && byReturn.get(r).returned() < op.called()) {
        Op done = byReturn.get(r++);
        if (maxAny == null || done.revision() > maxAny.revision()) {
          maxAny = done;
        }
        boolean write = done.kind() == Op.Kind.PUT || done.kind() == Op.Kind.LEASE_PUT
            || (done.kind() == Op.Kind.CAS || done.kind() == Op.Kind.DELETE) && done.succeeded();
        if (write && (maxWrite == null || done.revision() > maxWrite.revision())) {
          maxWrite = done;
        }
      }
      if (maxAny != null && op.revision() < maxAny.revision()) {
        anomalies.add("revision went back in real time: " + maxAny + " returned before " + op + " was called");
      }
      boolean write = op.kind() == Op.Kind.PUT || op.kind() == Op.Kind.LEASE_PUT
          || (op.kind() == Op.Kind.CAS || op.kind() == Op.Kind.DELETE) && op.succeeded();
      if (write && maxWrite != null && op.revision() <= maxWrite.revision()) {
        anomalies.add("a write's revision is not after an earlier write's: " + maxWrite + " then " + op);
      }
    }
  }
}
