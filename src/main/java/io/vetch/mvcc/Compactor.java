package io.vetch.mvcc;

import io.vetch.mvcc.backend.Backend;
import io.vetch.mvcc.backend.MetaKey;
import java.util.ArrayDeque;
import java.util.Collection;

/**
 * Physical compaction (etcd's kvstore_compaction): deletes, in bounded steps, the backend records that a
 * compaction already removed from the key index. Once the queue drains it records the scheduled revision as
 * the finished compact revision. The queue lives in heap only: after a restart, recovery recomputes it by
 * compacting the rebuilt key index at the persisted scheduled revision. Writer thread only.
 */
final class Compactor {
  private Backend backend;
  private final ArrayDeque<Revision> pending = new ArrayDeque<>();
  private long scheduledRevision;

  Compactor(Backend backend) {
    this.backend = backend;
  }

  /** Continues on a copy of the backend (after a defragmentation); the queue is unchanged. */
  void retarget(Backend copy) {
    backend = copy;
  }

  /** Queues the records removed by a compaction at revision rev (after any still pending). */
  void schedule(long rev, Collection<Revision> removed) {
    scheduledRevision = rev;
    pending.addAll(removed);
    finishIfDrained();
  }

  /** Deletes at most maxDeletes queued records; returns the bytes freed (as counted by {@link KvStore#sizeBytes}). */
  long step(int maxDeletes) {
    long freed = 0;
    for (int i = 0; i < maxDeletes && !pending.isEmpty(); i++) {
      Revision r = pending.poll();
      int len = backend.delete(r.main(), r.sub());
      if (len >= 0) {
        freed += KvStore.recordFootprint(len);
      }
    }
    finishIfDrained();
    return freed;
  }

  boolean idle() {
    return pending.isEmpty();
  }

  private void finishIfDrained() {
    if (pending.isEmpty() && scheduledRevision > backend.meta(MetaKey.FINISHED_COMPACT_REVISION)) {
      backend.setMeta(MetaKey.FINISHED_COMPACT_REVISION, scheduledRevision);
    }
  }
}
