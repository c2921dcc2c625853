package io.vetch.server.bus;

import io.vetch.api.raftpb.ConfState;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.HardState;
import io.vetch.api.raftpb.Snapshot;
import java.util.List;

/**
 * One Raft Ready handed to the storage worker. The worker applies committedEntries first (they are durable already),
 * then appends entries and hardState (null = unchanged) to the WAL and fsyncs once when mustSync (group commit).
 * confState is the membership as of this batch, for snapshots.
 */
public record StorageBatch(long seq, HardState hardState, List<Entry> entries, Snapshot snapshot,
    List<Entry> committedEntries, boolean mustSync, ConfState confState) {}
