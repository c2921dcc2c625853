package io.vetch.wal;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of the Raft log the WAL holds, as (index, term) only: the snapshot it starts after, the index range of
 * its entries and their terms as runs. One set of rules serves replay ({@link WalReplay}) and writing ({@link Wal}),
 * so the writer's {@link #lastIndex()} is exactly what a replay of the same records yields.
 *
 * <p>Rules: an entry at or below the snapshot index is ignored; an entry at index i replaces every entry >= i
 * (follower log truncation); an entry may not leave a gap after the last one, but may start anywhere after the
 * snapshot when there are none (a purged WAL's first segment). A snapshot marker (i, t) drops the entries <= i, and
 * drops all entries if the log is known to hold a different term at i (the snapshot replaced a divergent log, as
 * Raft's restore does); when the term at i is unknown the entries after i are kept.
 *
 * <p>Not thread-safe.
 */
final class LogTerms {
  static final long UNKNOWN = -1;

  private record Run(long start, long term) {}

  private long snapIndex;
  private long snapTerm;
  /** Runs of equal term, ascending start; empty when there are no entries. */
  private final List<Run> runs = new ArrayList<>();
  private long last;

  /** Index of the last entry, or the snapshot index when there is none. */
  long lastIndex() {
    return runs.isEmpty() ? snapIndex : last;
  }

  /** Index of the first entry, or snapshot index + 1 when there is none. */
  long firstIndex() {
    return runs.isEmpty() ? snapIndex + 1 : runs.get(0).start;
  }

  /** Term at index, the snapshot's term at its index, or {@link #UNKNOWN}. */
  long termAt(long index) {
    if (index == snapIndex) {
      return snapTerm;
    }
    if (runs.isEmpty() || index < runs.get(0).start || index > last) {
      return UNKNOWN;
    }
    int lo = 0;
    int hi = runs.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (runs.get(mid).start <= index) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return runs.get(lo).term;
  }

  /**
   * Records an entry. Returns false (and changes nothing) if it would leave a gap after the last entry.
   */
  boolean append(long index, long term) {
    if (index <= snapIndex) {
      return true;
    }
    if (!runs.isEmpty()) {
      if (index > last + 1) {
        return false;
      }
      truncateFrom(index);
    }
    if (runs.isEmpty() || runs.get(runs.size() - 1).term != term) {
      runs.add(new Run(index, term));
    }
    last = index;
    return true;
  }

  /** Records a snapshot marker; returns true if it discarded the entries after it (divergent log). */
  boolean snapshot(long index, long term) {
    long known = termAt(index);
    boolean divergent = known != UNKNOWN && known != term;
    if (divergent || runs.isEmpty() || last <= index) {
      runs.clear();
    } else {
      int i = 0;
      while (i + 1 < runs.size() && runs.get(i + 1).start <= index + 1) {
        i++;
      }
      runs.subList(0, i).clear();
      runs.set(0, new Run(Math.max(index + 1, runs.get(0).start), runs.get(0).term));
    }
    snapIndex = index;
    snapTerm = term;
    return divergent;
  }

  /** Drops entries >= index. */
  private void truncateFrom(long index) {
    while (!runs.isEmpty() && runs.get(runs.size() - 1).start >= index) {
      runs.remove(runs.size() - 1);
    }
    last = index - 1;
  }
}
