package io.vetch.raft;

import io.vetch.api.raftpb.ConfState;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.HardState;
import io.vetch.api.raftpb.Snapshot;
import java.util.List;

/**
 * The durable Raft log as Raft sees it: read-only to Raft (Raft never writes it). The driver appends entries,
 * hard state and snapshots to it only after they are durable (fsynced), then calls {@link RawNode#advance}.
 *
 * <p>Index ranges: {@code term(i)} is defined for {@code firstIndex()-1 <= i <= lastIndex()} (the entry at
 * firstIndex()-1 is the snapshot's last index); {@code entries(lo, hi, maxBytes)} for
 * {@code firstIndex() <= lo <= hi <= lastIndex()+1}. Outside these ranges implementations throw
 * {@link IllegalArgumentException}; Raft checks the bounds itself first.
 */
public interface RaftStorage {
  /** Last persisted term, vote and commit index. */
  HardState hardState();

  /**
   * Membership as of {@link #snapshot()}'s index. On restart Raft replays the conf-change entries after it up to
   * {@link RaftConfig#applied}, so the log must still hold them (compact only up to the snapshot index).
   */
  ConfState confState();

  /** Entries in [lo, hi), at most maxBytes of serialized size but always at least one if lo < hi. */
  List<Entry> entries(long lo, long hi, long maxBytes);

  long term(long index);

  long firstIndex();

  long lastIndex();

  /** The most recent snapshot; the one a leader sends to followers that fell behind the compacted log. */
  Snapshot snapshot();

  /** Context of a brand-new cluster's bootstrap conf change adding voter (see {@link RawNode#bootstrap}). */
  default com.google.protobuf.ByteString bootstrapContext(long voter) {
    return com.google.protobuf.ByteString.EMPTY;
  }
}
