package io.vetch.server.bus;

import io.vetch.api.raftpb.Entry;
import java.util.List;

/**
 * The storage worker applied a batch's committed entries up to appliedIndex (it has answered this member's
 * proposals among them itself, see PendingProposals); confChanges are the conf-change entries among them, for the raft verticle to apply in order.
 * snapshotIndex is non-zero when a snapshot at that index was saved (the raft log may be compacted up to it).
 */
public record Applied(long appliedIndex, List<Entry> confChanges, long snapshotIndex) {}
