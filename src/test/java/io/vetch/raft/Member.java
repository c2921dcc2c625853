package io.vetch.raft;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vetch.api.raftpb.ConfChange;
import io.vetch.api.raftpb.ConfState;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.EntryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * One simulated member: a RawNode driven like the raft verticle drives it. {@link #storage} stands for the
 * durable state (WAL + snapshot): it survives {@link #crash()}, everything else does not. The state machine is
 * the list of applied entries; a snapshot carries no data here, the checker only needs indexes and terms.
 */
final class Member {
  final long id;
  final MemoryStorage storage = new MemoryStorage();
  final RaftConfig cfg = new RaftConfig();
  RawNode node;
  boolean up;
  /** Taken but not yet persisted/advanced; lost on crash. */
  Ready pending;
  long appliedIndex;
  ConfState confState;
  final List<Entry> applied = new ArrayList<>();
  /** ReadStates handed out, for the test to check. */
  final List<ReadState> reads = new ArrayList<>();

  Member(long id, List<Long> voters, long seed, Consumer<RaftConfig> tune) {
    this.id = id;
    cfg.id = id;
    cfg.random = new Random(seed);
    tune.accept(cfg);
    if (!voters.isEmpty()) {
      RawNode.bootstrap(storage, voters);
    }
    confState = storage.confState();
    node = new RawNode(cfg, storage);
    up = true;
  }

  static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Proposes data, which must not be dropped (the member must be the leader). */
  void propose(String data) {
    try {
      node.propose(bytes(data));
    } catch (ProposalDroppedException e) {
      throw new AssertionError(e);
    }
  }

  void crash() {
    up = false;
    pending = null;
    node = null;
  }

  /** Restarts from durable state; the state machine is rebuilt from the snapshot and re-applies the rest. */
  void restart() {
    cfg.applied = storage.snapshot().getMetadata().getIndex();
    appliedIndex = cfg.applied;
    applied.clear();
    confState = storage.confState();
    node = new RawNode(cfg, storage);
    up = true;
  }

  /** Step 1 of handling a Ready: take it and send what may go out before the fsync. */
  boolean takeReady(Consumer<List<io.vetch.api.raftpb.Message>> send) {
    if (pending != null || !node.hasReady()) {
      return false;
    }
    pending = node.ready();
    reads.addAll(pending.readStates);
    if (pending.sendBeforePersist) {
      send.accept(pending.messages);
    }
    return true;
  }

  /** Step 2: persist, apply, send the rest, advance. */
  void persist(Consumer<List<io.vetch.api.raftpb.Message>> send, Consumer<Member> onApplied) {
    Ready rd = pending;
    pending = null;
    if (rd.snapshot != null) {
      storage.applySnapshot(rd.snapshot);
      appliedIndex = rd.snapshot.getMetadata().getIndex();
      confState = rd.snapshot.getMetadata().getConfState();
      applied.clear();
    }
    storage.append(rd.entries);
    if (rd.hardState != null) {
      storage.setHardState(rd.hardState);
    }
    if (!rd.sendBeforePersist) {
      send.accept(rd.messages);
    }
    for (Entry e : rd.committedEntries) {
      if (e.getIndex() != appliedIndex + 1) {
        throw new AssertionError("member " + id + " applies " + e.getIndex() + " after " + appliedIndex);
      }
      appliedIndex = e.getIndex();
      applied.add(e);
      if (e.getType() == EntryType.EntryConfChange) {
        try {
          confState = node.applyConfChange(ConfChange.parseFrom(e.getData()));
        } catch (InvalidProtocolBufferException ex) {
          throw new AssertionError(ex);
        }
      }
    }
    onApplied.accept(this);
    node.advance(rd);
  }

  /** Snapshot of the applied state, then compaction keeping {@code keep} entries, as the server does. */
  void snapshotAndCompact(long keep) {
    if (appliedIndex <= storage.snapshot().getMetadata().getIndex() || appliedIndex > storage.lastIndex()) {
      return;
    }
    storage.createSnapshot(appliedIndex, node.confState(), new byte[0]);
    if (appliedIndex - keep >= storage.firstIndex()) {
      storage.compact(appliedIndex - keep);
    }
  }

  List<String> appliedData() {
    return applied.stream().filter(e -> e.getType() == EntryType.EntryNormal && !e.getData().isEmpty())
        .map(e -> e.getData().toStringUtf8()).toList();
  }
}
