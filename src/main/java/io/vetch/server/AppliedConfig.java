package io.vetch.server;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vetch.api.raftpb.ConfChange;
import io.vetch.api.raftpb.ConfChangeType;
import io.vetch.api.raftpb.ConfState;
import io.vetch.api.raftpb.Entry;
import io.vetch.raft.MemoryStorage;
import io.vetch.raft.RawNode;
import java.util.List;

/**
 * What the raft verticle does once the storage worker reports entries applied, apart from serving reads: applied
 * conf changes reach the Raft core (etcd's applyConfChange), and the in-memory log is cut behind an applied snapshot,
 * keeping catchUpEntries entries so a slightly lagging follower needs no snapshot (etcd's SnapshotCatchUpEntries).
 * Plain state on the raft verticle's context; not thread-safe.
 */
final class AppliedConfig {
  private static final System.Logger LOG = System.getLogger(AppliedConfig.class.getName());
  private final RawNode node;
  private final MemoryStorage memoryStorage;
  private final long catchUpEntries;
  private ConfState confState;
  private boolean removed;

  AppliedConfig(RawNode node, MemoryStorage memoryStorage, long catchUpEntries) {
    this.node = node;
    this.memoryStorage = memoryStorage;
    this.catchUpEntries = catchUpEntries;
    this.confState = node.confState();
  }

  /** The configuration as of the last applied conf change or installed snapshot. */
  ConfState confState() {
    return confState;
  }

  /** A snapshot installed in the log: its configuration is the current one. */
  void installed(ConfState cs) {
    confState = cs;
  }

  /**
   * Applies confChanges (entries of type EntryConfChange, in log order) to the core; true the first time one of
   * them removes this very member. A member replaying the log from before its own addition passes through
   * configurations without it; only its removal counts, as in etcd.
   */
  boolean apply(List<Entry> confChanges) {
    boolean removedHere = false;
    for (Entry e : confChanges) {
      try {
        ConfChange cc = ConfChange.parseFrom(e.getData());
        confState = node.applyConfChange(cc);
        removedHere |= cc.getType() == ConfChangeType.ConfChangeRemoveNode && cc.getNodeId() == node.id();
      } catch (InvalidProtocolBufferException ex) {
        LOG.log(System.Logger.Level.ERROR, "unreadable conf change at index " + e.getIndex(), ex);
      }
    }
    if (removedHere && !removed) {
      removed = true;
      return true;
    }
    return false;
  }

  /**
   * The storage worker took a snapshot at index: the log records it (metadata only: a member that needs a snapshot
   * gets a fresh store image, SnapshotShipper) and drops entries more than catchUpEntries behind it.
   */
  void snapshotted(long index) {
    memoryStorage.createSnapshot(index, confState, new byte[0]);
    if (index - catchUpEntries > memoryStorage.firstIndex()) {
      memoryStorage.compact(index - catchUpEntries);
    }
  }
}
