package io.vetch.raft;

import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The tail of the log not yet durable: entries (and possibly a snapshot) handed out in a Ready that the driver has
 * not acknowledged with advance. {@code entries.get(i)} has index {@code offset + i}. Everything below
 * {@code offset} is in {@link RaftStorage}; storage may still hold stale entries at or above offset that this tail
 * overwrites once persisted.
 */
final class Unstable {
  Snapshot snapshot;
  List<Entry> entries = new ArrayList<>();
  long offset;

  Unstable(long offset) {
    this.offset = offset;
  }

  /** First index if a snapshot is pending, else -1. */
  long maybeFirstIndex() {
    return snapshot != null ? snapshot.getMetadata().getIndex() + 1 : -1;
  }

  /** Last index if known from entries or a pending snapshot, else -1. */
  long maybeLastIndex() {
    if (!entries.isEmpty()) {
      return offset + entries.size() - 1;
    }
    return snapshot != null ? snapshot.getMetadata().getIndex() : -1;
  }

  /** Term at index if known here, else -1. */
  long maybeTerm(long i) {
    if (i < offset) {
      return snapshot != null && snapshot.getMetadata().getIndex() == i ? snapshot.getMetadata().getTerm() : -1;
    }
    long last = maybeLastIndex();
    if (last < 0 || i > last) {
      return -1;
    }
    return entries.get((int) (i - offset)).getTerm();
  }

  /** Entries up to (i, t) are durable; ignored if they were overwritten meanwhile. */
  void stableTo(long i, long t) {
    if (maybeTerm(i) == t && i >= offset) {
      entries = new ArrayList<>(entries.subList((int) (i + 1 - offset), entries.size()));
      offset = i + 1;
    }
  }

  void stableSnapTo(long i) {
    if (snapshot != null && snapshot.getMetadata().getIndex() == i) {
      snapshot = null;
    }
  }

  void restore(Snapshot s) {
    offset = s.getMetadata().getIndex() + 1;
    entries = new ArrayList<>();
    snapshot = s;
  }

  void truncateAndAppend(List<Entry> ents) {
    long after = ents.get(0).getIndex();
    if (after == offset + entries.size()) {
      entries.addAll(ents);
    } else if (after <= offset) {
      offset = after;
      entries = new ArrayList<>(ents);
    } else {
      List<Entry> kept = new ArrayList<>(slice(offset, after));
      kept.addAll(ents);
      entries = kept;
    }
  }

  List<Entry> slice(long lo, long hi) {
    if (lo > hi || lo < offset || hi > offset + entries.size()) {
      throw new IllegalStateException("unstable.slice[" + lo + "," + hi + ") out of [" + offset + ","
          + (offset + entries.size()) + ")");
    }
    return entries.subList((int) (lo - offset), (int) (hi - offset));
  }
}
