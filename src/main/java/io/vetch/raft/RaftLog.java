package io.vetch.raft;

import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * Raft's view of the log: the durable part in {@link RaftStorage} plus the {@link Unstable} tail. Tracks the
 * commit index (known committed cluster-wide) and the applied index (handed to the driver to apply).
 * Committed entries are handed out only once they are durable locally ({@link #persistedIndex()}).
 */
final class RaftLog {
  final RaftStorage storage;
  final Unstable unstable;
  final long maxCommittedSize;
  long committed;
  long applied;

  RaftLog(RaftStorage storage, long maxCommittedSize) {
    this.storage = storage;
    this.maxCommittedSize = maxCommittedSize;
    long first = storage.firstIndex();
    this.unstable = new Unstable(storage.lastIndex() + 1);
    this.committed = first - 1;
    this.applied = first - 1;
  }

  /** Appends ents after (index, logTerm) if that matches; returns the last new index, or -1 on mismatch. */
  long maybeAppend(long index, long logTerm, long leaderCommit, List<Entry> ents) {
    if (!matchTerm(index, logTerm)) {
      return -1;
    }
    long lastNew = index + ents.size();
    long ci = findConflict(ents);
    if (ci != 0) {
      if (ci <= committed) {
        throw new IllegalStateException("entry " + ci + " conflicts with committed entries up to " + committed);
      }
      append(ents.subList((int) (ci - (index + 1)), ents.size()));
    }
    commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  long append(List<Entry> ents) {
    if (ents.isEmpty()) {
      return lastIndex();
    }
    if (ents.get(0).getIndex() - 1 < committed) {
      throw new IllegalStateException("append after " + (ents.get(0).getIndex() - 1) + " below committed " + committed);
    }
    unstable.truncateAndAppend(ents);
    return lastIndex();
  }

  /** Index of the first entry whose term differs from ours (or that we lack), 0 if all match. */
  long findConflict(List<Entry> ents) {
    for (Entry e : ents) {
      if (!matchTerm(e.getIndex(), e.getTerm())) {
        return e.getIndex();
      }
    }
    return 0;
  }

  /** Largest index <= index whose term is <= term: where a follower's log may match the leader's (etcd). */
  long findConflictByTerm(long index, long term) {
    if (index > lastIndex()) {
      return index;
    }
    while (index > 0) {
      long t = term(index);
      if (t <= term) {
        break;
      }
      index--;
    }
    return index;
  }

  List<Entry> unstableEntries() {
    return List.copyOf(unstable.entries);
  }

  /** Highest index whose entry (and everything before it) is durable locally. */
  long persistedIndex() {
    return unstable.snapshot != null ? 0 : unstable.offset - 1;
  }

  /** Committed, durable, not yet handed out entries, within the size budget. */
  List<Entry> nextCommittedEnts() {
    long lo = Math.max(applied + 1, firstIndex());
    long hi = Math.min(committed, persistedIndex()) + 1;
    return lo < hi ? slice(lo, hi, maxCommittedSize) : List.of();
  }

  boolean hasNextCommittedEnts() {
    return Math.max(applied + 1, firstIndex()) <= Math.min(committed, persistedIndex());
  }

  Snapshot snapshot() {
    return unstable.snapshot != null ? unstable.snapshot : storage.snapshot();
  }

  long firstIndex() {
    long i = unstable.maybeFirstIndex();
    return i >= 0 ? i : storage.firstIndex();
  }

  long lastIndex() {
    long i = unstable.maybeLastIndex();
    return i >= 0 ? i : storage.lastIndex();
  }

  void commitTo(long toCommit) {
    if (committed < toCommit) {
      if (lastIndex() < toCommit) {
        throw new IllegalStateException("commit " + toCommit + " out of range, last index " + lastIndex());
      }
      committed = toCommit;
    }
  }

  void appliedTo(long i) {
    if (i > applied) {
      applied = i;
    }
  }

  void stableTo(long i, long t) {
    unstable.stableTo(i, t);
  }

  void stableSnapTo(long i) {
    unstable.stableSnapTo(i);
  }

  long lastTerm() {
    return term(lastIndex());
  }

  /** Term of the entry at i, or -1 if compacted or beyond the last index. */
  long term(long i) {
    long dummy = firstIndex() - 1;
    if (i < dummy || i > lastIndex()) {
      return -1;
    }
    long t = unstable.maybeTerm(i);
    if (t >= 0) {
      return t;
    }
    return i < storage.firstIndex() - 1 ? -1 : storage.term(i);
  }

  /** Entries from i on, at most maxSize bytes; empty if i > lastIndex. Caller ensures i >= firstIndex. */
  List<Entry> entries(long i, long maxSize) {
    if (i > lastIndex()) {
      return List.of();
    }
    return slice(i, lastIndex() + 1, maxSize);
  }

  boolean isUpToDate(long lastIndex, long term) {
    return term > lastTerm() || (term == lastTerm() && lastIndex >= lastIndex());
  }

  boolean matchTerm(long i, long term) {
    long t = term(i);
    return t >= 0 && t == term;
  }

  /** Commits up to maxIndex if that entry is of the current term (Raft §5.4.2). */
  boolean maybeCommit(long maxIndex, long term) {
    if (maxIndex > committed && term(maxIndex) == term) {
      commitTo(maxIndex);
      return true;
    }
    return false;
  }

  void restore(Snapshot s) {
    committed = s.getMetadata().getIndex();
    unstable.restore(s);
  }

  /** Entries [lo, hi) within firstIndex..lastIndex, at most maxSize bytes but at least one. */
  List<Entry> slice(long lo, long hi, long maxSize) {
    if (lo < firstIndex() || hi > lastIndex() + 1 || lo > hi) {
      throw new IllegalStateException("slice[" + lo + "," + hi + ") out of [" + firstIndex() + "," + lastIndex() + "]");
    }
    if (lo == hi) {
      return List.of();
    }
    List<Entry> out = new ArrayList<>();
    if (lo < unstable.offset) {
      out.addAll(storage.entries(lo, Math.min(hi, unstable.offset), maxSize));
      if (out.size() < Math.min(hi, unstable.offset) - lo) {
        return out;
      }
    }
    if (hi > unstable.offset) {
      out.addAll(unstable.slice(Math.max(lo, unstable.offset), hi));
    }
    return limitSize(out, maxSize);
  }

  static List<Entry> limitSize(List<Entry> ents, long maxSize) {
    if (ents.isEmpty()) {
      return ents;
    }
    long size = ents.get(0).getSerializedSize();
    int limit = 1;
    for (; limit < ents.size(); limit++) {
      size += ents.get(limit).getSerializedSize();
      if (size > maxSize) {
        break;
      }
    }
    return limit == ents.size() ? ents : new ArrayList<>(ents.subList(0, limit));
  }
}
