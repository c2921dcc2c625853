package io.vetch.server.bus;

import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.HardState;
import io.vetch.api.raftpb.Snapshot;
import java.util.List;

/**
 * One Raft Ready handed to the storage worker. The worker applies committedEntries first (they are durable already),
 * then appends entries and hardState (null = unchanged) to the WAL and fsyncs once when mustSync (group commit).
 * snapshot (null = none) comes with snapshotImage, the received store image to install first. applyOnPersist
 * says the entries are committed as soon as they are durable (a single voter leading, no membership change among
 * them): the worker applies them right after the fsync.
 */
public record StorageBatch(long seq, HardState hardState, List<Entry> entries, Snapshot snapshot,
    java.nio.file.Path snapshotImage, List<Entry> committedEntries, boolean mustSync, boolean applyOnPersist) {}
