package io.vetch.wal;

/**
 * A SNAPSHOT record: a Raft snapshot at (index, term) was saved (by the snap package's Snapshotter) before this
 * record was written, so entries up to {@code index} are no longer needed from the WAL.
 */
public record SnapshotMarker(long index, long term) {
  /** No snapshot yet. */
  public static final SnapshotMarker NONE = new SnapshotMarker(0, 0);
}
