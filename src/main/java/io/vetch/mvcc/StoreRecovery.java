package io.vetch.mvcc;

import io.vetch.api.mvccpb.KeyValue;
import io.vetch.mvcc.backend.Backend;
import io.vetch.mvcc.backend.BackendRecord;
import io.vetch.mvcc.backend.MetaKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Rebuilds the in-heap state from the backend when a store opens (etcd's kvstore.restore), in this order:
 * <ol>
 *   <li>Scan every record. Records whose raftIndex is above the persisted consistent index belong to a batch
 *       that was being applied when the process died (the consistent index is written after the data it
 *       covers); they are deleted, so replaying the WAL from the consistent index is idempotent.</li>
 *   <li>Replay the remaining records into a new key index in revision order. A tombstone whose generation is
 *       gone (a compaction interrupted half way) is an orphan and goes on the delete queue.</li>
 *   <li>current revision = max(1, newest main revision, scheduled compact revision).</li>
 *   <li>Compact the rebuilt index at the scheduled compact revision; this resumes an unfinished physical
 *       compaction (and queues nothing when it had finished).</li>
 * </ol>
 * Runs on the opening thread before the store is shared. Holds one small entry per record while sorting.
 */
final class StoreRecovery {
    private StoreRecovery() {
    }

    record Recovered(TreeIndex index, long currentRevision, CompactPoint compactPoint, List<Revision> pendingDeletes,
                     long consistentIndex, long liveKeys, long sizeBytes) {
    }

    private record Scanned(Revision rev, byte[] key, boolean tombstone, long createRevision, long version,
                           int recordBytes) {
    }

    static Recovered recover(Backend backend) {
        long consistentIndex = backend.meta(MetaKey.CONSISTENT_INDEX);
        long compactRev = backend.meta(MetaKey.SCHEDULED_COMPACT_REVISION);
        List<Scanned> scanned = new ArrayList<>();
        List<Revision> partial = new ArrayList<>();
        backend.forEach((main, sub, record) -> {
            Revision rev = new Revision(main, sub);
            if (BackendRecord.raftIndex(record) > consistentIndex) {
                partial.add(rev);
                return;
            }
            KeyValue kv = KvCodec.decode(record);
            scanned.add(new Scanned(rev, kv.getKey().toByteArray(), BackendRecord.isTombstone(record),
                    kv.getCreateRevision(), kv.getVersion(), record.length));
        });
        for (Revision r : partial) {
            backend.delete(r.main(), r.sub());
        }
        scanned.sort(Comparator.comparing(Scanned::rev));

        TreeIndex index = new TreeIndex();
        List<Revision> pending = new ArrayList<>();
        long currentRev = Math.max(1, compactRev);
        long maxSubAtCompact = -1;
        long sizeBytes = 0;
        for (Scanned s : scanned) {
            if (!index.restore(s.key(), s.rev(), s.tombstone(), s.createRevision(), s.version())) {
                pending.add(s.rev());
            }
            currentRev = Math.max(currentRev, s.rev().main());
            if (s.rev().main() == compactRev) {
                maxSubAtCompact = Math.max(maxSubAtCompact, s.rev().sub());
            }
            sizeBytes += KvStore.recordFootprint(s.recordBytes());
        }
        CompactPoint compactPoint = CompactPoint.NONE;
        if (compactRev > 0) {
            pending.addAll(index.compact(compactRev));
            compactPoint = new CompactPoint(compactRev, maxSubAtCompact, false);
        }
        return new Recovered(index, currentRev, compactPoint, pending, consistentIndex, index.liveKeys(), sizeBytes);
    }
}
