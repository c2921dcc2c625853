package io.vetch.robustness;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks what watchers of the whole key space saw against etcd's watch guarantees and the KV history. A watcher's
 * log is every response it received, across the streams it resumed (each from its last revision + 1).
 * <ul>
 *   <li>ordered: revisions only go up, across responses strictly;</li>
 *   <li>unique: no event (revision, key) twice;</li>
 *   <li>atomic: a revision's events come in one response;</li>
 *   <li>reliable: no revision is missing between the start and the last revision seen (every revision has
 *   events, and the whole key space is watched), all watchers agree on each revision's events, and each
 *   acknowledged single-key write is there as its key, type and value;</li>
 *   <li>progress: after a progress notification at revision r, no event at or below r arrives;</li>
 *   <li>resumable: follows from the above on the concatenated log.</li>
 * </ul>
 */
final class WatchChecker {
  record Event(long revision, String key, boolean put, String value) {}

  /** A response: its events, or a progress notification (no events) at revision. */
  record Response(long revision, boolean progress, List<Event> events) {}

  record Log(String name, long start, List<Response> responses) {}

  private WatchChecker() {}

  static List<String> check(List<Log> logs, List<Op> ops) {
    List<String> anomalies = new ArrayList<>();
    Map<Long, List<Event>> reference = new HashMap<>();
    for (Log log : logs) {
      check(log, reference, anomalies);
    }
    for (Op op : ops) {
      boolean single = op.ok() && (op.kind() == Op.Kind.PUT || op.kind() == Op.Kind.LEASE_PUT
          || (op.kind() == Op.Kind.CAS || op.kind() == Op.Kind.DELETE) && op.succeeded());
      if (!single) {
        continue;
      }
      List<Event> seen = reference.get(op.revision());
      boolean covered = logs.stream().anyMatch(l -> l.start <= op.revision() && last(l) >= op.revision());
      if (!covered) {
        continue;
      }
      Event expected = new Event(op.revision(), op.key(), op.kind() != Op.Kind.DELETE,
          op.kind() == Op.Kind.DELETE ? null : op.value());
      if (seen == null || !seen.contains(expected)) {
        anomalies.add("watchers missed " + op + ": at revision " + op.revision() + " they saw " + seen);
      }
    }
    return anomalies;
  }

  private static long last(Log l) {
    long last = l.start - 1;
    for (Response r : l.responses) {
      for (Event e : r.events) {
        last = Math.max(last, e.revision);
      }
    }
    return last;
  }

  private static void check(Log log, Map<Long, List<Event>> reference, List<String> anomalies) {
    long lastRev = log.start - 1;
    long progress = 0;
    Set<String> seen = new HashSet<>();
    Map<Long, List<Event>> byRevision = new HashMap<>();
    for (Response r : log.responses) {
      if (r.progress) {
        progress = Math.max(progress, r.revision);
        continue;
      }
      long first = r.events.isEmpty() ? lastRev + 1 : r.events.get(0).revision;
      if (first <= lastRev) {
        anomalies.add(log.name + ": revision " + first + " after " + lastRev + " (out of order, or a revision split)");
      }
      for (Event e : r.events) {
        if (e.revision < lastRev) {
          anomalies.add(log.name + ": revision " + e.revision + " after " + lastRev);
        }
        if (e.revision <= progress) {
          anomalies.add(log.name + ": event at " + e.revision + " after a progress notification at " + progress);
        }
        if (!seen.add(e.revision + "/" + e.key)) {
          anomalies.add(log.name + ": event " + e + " twice");
        }
        if (e.revision > lastRev + 1 && e.revision != lastRev) {
          anomalies.add(log.name + ": revisions " + (lastRev + 1) + ".." + (e.revision - 1) + " missing");
        }
        lastRev = Math.max(lastRev, e.revision);
        byRevision.computeIfAbsent(e.revision, x -> new ArrayList<>()).add(e);
      }
    }
    for (Map.Entry<Long, List<Event>> e : byRevision.entrySet()) {
      List<Event> other = reference.putIfAbsent(e.getKey(), e.getValue());
      if (other != null && !other.equals(e.getValue())) {
        anomalies.add(log.name + ": at revision " + e.getKey() + " saw " + e.getValue() + ", another watcher "
            + other);
      }
    }
  }
}
