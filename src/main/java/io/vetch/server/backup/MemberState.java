package io.vetch.server.backup;

import io.vetch.api.raftpb.Snapshot;
import java.nio.file.Path;

/**
 * A member's state in one description, whatever carries it (a leader's Raft snapshot, the member's own snapshot at
 * start, a backup): the Raft index and term it is as of (term 0 when unknown: a backup), its store image (the
 * StoreImage format, in the file image) and the rest of it ({@link SnapshotData}: membership, leases, alarms, auth).
 * {@link SnapshotRestore} installs it.
 */
public record MemberState(long index, long term, Path image, SnapshotData data) {
  /** The state a Raft snapshot describes, its store image in image; IOException if its data is damaged. */
  public static MemberState of(Snapshot snap, Path image) throws java.io.IOException {
    return new MemberState(snap.getMetadata().getIndex(), snap.getMetadata().getTerm(), image,
        SnapshotData.decode(snap.getData().toByteArray()));
  }
}
