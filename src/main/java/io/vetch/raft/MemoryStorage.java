package io.vetch.raft;

import io.vetch.api.raftpb.ConfState;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.HardState;
import io.vetch.api.raftpb.Snapshot;
import io.vetch.api.raftpb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * In-memory {@link RaftStorage}, a mirror of what the driver has made durable (WAL + snapshot files): the driver
 * appends here only after fsync, and rebuilds it from the WAL on restart. Position 0 of the entry list is a dummy
 * holding the snapshot's index and term. Thread-safe (all methods synchronized) so that the raft context may read
 * while the driver updates it from another thread.
 */
public final class MemoryStorage implements RaftStorage {
  private HardState hardState = HardState.getDefaultInstance();
  private Snapshot snapshot = Snapshot.newBuilder().setMetadata(SnapshotMetadata.getDefaultInstance()).build();
  private ConfState confState = ConfState.getDefaultInstance();
  private java.util.Map<Long, com.google.protobuf.ByteString> bootstrapContexts = java.util.Map.of();
  private List<Entry> ents = new ArrayList<>(List.of(Entry.getDefaultInstance()));

  @Override
  public synchronized HardState hardState() {
    return hardState;
  }

  @Override
  public synchronized ConfState confState() {
    return confState;
  }

  /** The initial membership of a brand-new cluster (the "snapshot" at index 0); see {@link RawNode#bootstrap}. */
  synchronized void setConfState(ConfState cs, java.util.Map<Long, com.google.protobuf.ByteString> contexts) {
    confState = cs;
    bootstrapContexts = java.util.Map.copyOf(contexts);
  }

  @Override
  public synchronized com.google.protobuf.ByteString bootstrapContext(long voter) {
    return bootstrapContexts.getOrDefault(voter, com.google.protobuf.ByteString.EMPTY);
  }

  public synchronized void setHardState(HardState hs) {
    hardState = hs;
  }

  @Override
  public synchronized List<Entry> entries(long lo, long hi, long maxBytes) {
    long offset = ents.get(0).getIndex();
    if (lo <= offset || hi > lastIndex() + 1 || lo > hi) {
      throw new IllegalArgumentException("entries [" + lo + "," + hi + ") out of (" + offset + "," + lastIndex() + "]");
    }
    return RaftLog.limitSize(new ArrayList<>(ents.subList((int) (lo - offset), (int) (hi - offset))), maxBytes);
  }

  @Override
  public synchronized long term(long index) {
    long offset = ents.get(0).getIndex();
    if (index < offset || index > lastIndex()) {
      throw new IllegalArgumentException("term(" + index + ") out of [" + offset + "," + lastIndex() + "]");
    }
    return ents.get((int) (index - offset)).getTerm();
  }

  @Override
  public synchronized long firstIndex() {
    return ents.get(0).getIndex() + 1;
  }

  @Override
  public synchronized long lastIndex() {
    return ents.get(0).getIndex() + ents.size() - 1;
  }

  @Override
  public synchronized Snapshot snapshot() {
    return snapshot;
  }

  /** Replaces the whole log by a (newer) snapshot; older snapshots are ignored. */
  public synchronized void applySnapshot(Snapshot snap) {
    SnapshotMetadata md = snap.getMetadata();
    if (md.getIndex() < snapshot.getMetadata().getIndex()) {
      return;
    }
    snapshot = snap;
    confState = md.getConfState();
    ents = new ArrayList<>(List.of(Entry.newBuilder().setIndex(md.getIndex()).setTerm(md.getTerm()).build()));
  }

  /**
   * Takes a snapshot of the state machine at {@code index} (which must be applied and still in the log) and
   * makes it the one sent to lagging followers; cs is the membership at index ({@link RawNode#confState()} when
   * the state machine is at index). Does not compact; call {@link #compact} separately.
   */
  public synchronized Snapshot createSnapshot(long index, ConfState cs, byte[] data) {
    if (index <= snapshot.getMetadata().getIndex()) {
      return snapshot;
    }
    if (index > lastIndex()) {
      throw new IllegalArgumentException("snapshot index " + index + " > last index " + lastIndex());
    }
    SnapshotMetadata md = SnapshotMetadata.newBuilder().setIndex(index).setTerm(term(index)).setConfState(cs).build();
    snapshot = Snapshot.newBuilder().setMetadata(md).setData(com.google.protobuf.ByteString.copyFrom(data)).build();
    confState = cs;
    return snapshot;
  }

  /**
   * Discards entries up to and including {@code compactIndex}, which must not exceed the snapshot's index (conf
   * changes after the snapshot are replayed from the log on restart).
   */
  public synchronized void compact(long compactIndex) {
    long offset = ents.get(0).getIndex();
    if (compactIndex <= offset) {
      return;
    }
    if (compactIndex > lastIndex()) {
      throw new IllegalArgumentException("compact " + compactIndex + " > last index " + lastIndex());
    }
    int i = (int) (compactIndex - offset);
    List<Entry> kept = new ArrayList<>(ents.size() - i);
    kept.add(Entry.newBuilder().setIndex(ents.get(i).getIndex()).setTerm(ents.get(i).getTerm()).build());
    kept.addAll(ents.subList(i + 1, ents.size()));
    ents = kept;
  }

  /** Appends persisted entries; an entry that conflicts with the stored log replaces it and everything after. */
  public synchronized void append(List<Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    long first = firstIndex();
    long last = entries.get(0).getIndex() + entries.size() - 1;
    if (last < first) {
      return;
    }
    if (first > entries.get(0).getIndex()) {
      entries = entries.subList((int) (first - entries.get(0).getIndex()), entries.size());
    }
    long offset = entries.get(0).getIndex() - ents.get(0).getIndex();
    if (ents.size() > offset) {
      ents = new ArrayList<>(ents.subList(0, (int) offset));
      ents.addAll(entries);
    } else if (ents.size() == offset) {
      ents.addAll(entries);
    } else {
      throw new IllegalArgumentException("missing log entry [last: " + lastIndex() + ", append at: "
          + entries.get(0).getIndex() + "]");
    }
  }
}
