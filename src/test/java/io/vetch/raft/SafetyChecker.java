package io.vetch.raft;

import io.vetch.api.raftpb.Entry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Raft's safety properties over a {@link LocalNetwork}, checked after every step of a simulation:
 * <ul>
 *   <li>Election Safety: at most one leader per term, over the whole history;</li>
 *   <li>Leader Completeness / commit stability: an entry once committed (at or below some member's durable commit
 *       index) is never replaced by another at that index;</li>
 *   <li>Log Matching: if two durable logs hold an entry with the same index and term, they agree up to it;</li>
 *   <li>State Machine Safety: every member applies the same entry at each index, and only committed ones.</li>
 * </ul>
 */
final class SafetyChecker {
  private final Map<Long, Long> leaderOfTerm = new HashMap<>();
  private final Map<Long, Entry> committed = new HashMap<>();
  private final Map<Long, Entry> appliedAt = new HashMap<>();

  void check(LocalNetwork net) {
    for (Member m : net.members.values()) {
      if (m.up && m.node.isLeader()) {
        Long prev = leaderOfTerm.putIfAbsent(m.node.term(), m.id);
        if (prev != null && prev != m.id) {
          throw new AssertionError("two leaders in term " + m.node.term() + ": " + prev + " and " + m.id);
        }
      }
      MemoryStorage s = m.storage;
      long upTo = Math.min(s.hardState().getCommit(), s.lastIndex());
      if (s.firstIndex() <= upTo) {
        for (Entry e : s.entries(s.firstIndex(), upTo + 1, Long.MAX_VALUE)) {
          same(committed, e, "committed entry changed on member " + m.id);
        }
      }
      long snapIndex = s.snapshot().getMetadata().getIndex();
      Entry atSnap = committed.get(snapIndex);
      if (snapIndex > 0 && atSnap != null && atSnap.getTerm() != s.snapshot().getMetadata().getTerm()) {
        throw new AssertionError("member " + m.id + " snapshot at " + snapIndex + " has a different term");
      }
      for (Entry e : m.applied) {
        same(appliedAt, e, "state machines diverge at member " + m.id);
      }
    }
    List<Member> ms = List.copyOf(net.members.values());
    for (int i = 0; i < ms.size(); i++) {
      for (int j = i + 1; j < ms.size(); j++) {
        logMatching(ms.get(i).storage, ms.get(j).storage, ms.get(i).id, ms.get(j).id);
      }
    }
  }

  /** Applied entries must also be committed: check against the committed map when it knows the index. */
  void checkAppliedWereCommitted() {
    appliedAt.forEach((i, e) -> {
      Entry c = committed.get(i);
      if (c != null && !c.equals(e)) {
        throw new AssertionError("applied entry " + i + " differs from the committed one");
      }
    });
  }

  int committedCount() {
    return committed.size();
  }

  private static void same(Map<Long, Entry> seen, Entry e, String what) {
    Entry prev = seen.putIfAbsent(e.getIndex(), e);
    if (prev != null && !prev.equals(e)) {
      throw new AssertionError(what + " at index " + e.getIndex() + ": " + brief(prev) + " vs " + brief(e));
    }
  }

  private static String brief(Entry e) {
    return e.getIndex() + "/" + e.getTerm() + "/" + e.getData().toStringUtf8();
  }

  private static void logMatching(MemoryStorage a, MemoryStorage b, long ida, long idb) {
    long lo = Math.max(a.firstIndex(), b.firstIndex());
    long hi = Math.min(a.lastIndex(), b.lastIndex());
    long k = hi;
    while (k >= lo && a.term(k) != b.term(k)) {
      k--;
    }
    if (k < lo) {
      return;
    }
    List<Entry> ea = a.entries(lo, k + 1, Long.MAX_VALUE);
    List<Entry> eb = b.entries(lo, k + 1, Long.MAX_VALUE);
    if (!ea.equals(eb)) {
      int d = 0;
      while (ea.get(d).equals(eb.get(d))) {
        d++;
      }
      throw new AssertionError("log matching violated between " + ida + " and " + idb + ": both have term "
          + a.term(k) + " at " + k + " but differ at " + brief(ea.get(d)) + " vs " + brief(eb.get(d)));
    }
  }
}
