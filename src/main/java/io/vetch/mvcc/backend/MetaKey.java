package io.vetch.mvcc.backend;

/** Names of the scalar values kept in the backend's meta map (etcd's meta bucket). */
public enum MetaKey {
  /** Raft index of the last entry whose effects are fully in the revision map. */
  CONSISTENT_INDEX,
  /** Revision of the last compaction that was accepted (etcd's scheduledCompactRev). */
  SCHEDULED_COMPACT_REVISION,
  /** Revision of the last compaction whose physical deletes all completed (etcd's finishedCompactRev). */
  FINISHED_COMPACT_REVISION
}
