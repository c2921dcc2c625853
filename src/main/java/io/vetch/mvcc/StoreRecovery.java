package io.vetch.mvcc;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.mvcc.backend.Backend;
import io.vetch.mvcc.backend.BackendRecord;
import io.vetch.mvcc.backend.MetaKey;
import io.vetch.mvcc.backend.Parallel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Runs on the opening thread (and threads it starts) before the store is shared. Holds one small entry per record
 * while sorting; reads only the key, revisions, version and lease of each record (never the value).
 */
final class StoreRecovery {
  private StoreRecovery() {
  }

  /** leasedKeys: every live key that carries a lease, as KeyValues with only key and lease set. */
  record Recovered(TreeIndex index, long currentRevision, CompactPoint compactPoint, List<Revision> pendingDeletes,
          long consistentIndex, long liveKeys, long sizeBytes, List<KeyValue> leasedKeys) {
  }

  private record Scanned(Revision rev, byte[] key, boolean tombstone, long createRevision, long version,
             long lease, int recordBytes) {
  }

  static Recovered recover(Backend backend) {
    long t0 = System.nanoTime();
    long consistentIndex = backend.meta(MetaKey.CONSISTENT_INDEX);
    long compactRev = backend.meta(MetaKey.SCHEDULED_COMPACT_REVISION);
    // Both passes run in parts on threads of their own: the scan split by backend segment, the index rebuild
    // by key (each key's records all in one part, replayed in revision order into the concurrent index).
    int parts = Parallel.parts();
    List<List<List<Scanned>>> scannedBy = new ArrayList<>(); // [scan part][key part]
    List<List<Revision>> partialBy = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      List<List<Scanned>> byKey = new ArrayList<>();
      for (int q = 0; q < parts; q++) {
        byKey.add(new ArrayList<>());
      }
      scannedBy.add(byKey);
      partialBy.add(new ArrayList<>());
    }
    backend.scan(parts, p -> (main, sub, record, length) -> {
      Revision rev = new Revision(main, sub);
      if (BackendRecord.raftIndex(record) > consistentIndex) {
        partialBy.get(p).add(rev);
        return;
      }
      Scanned s = scan(rev, record, length);
      scannedBy.get(p).get(Math.floorMod(Arrays.hashCode(s.key()), parts)).add(s);
    });
    for (List<Revision> partial : partialBy) {
      for (Revision r : partial) {
        backend.delete(r.main(), r.sub());
      }
    }
    long t1 = System.nanoTime();

    TreeIndex index = new TreeIndex();
    Rebuilt[] rebuilt = new Rebuilt[parts];
    List<List<Scanned>> ordered = new ArrayList<>(parts);
    for (int q = 0; q < parts; q++) {
      ordered.add(null);
    }
    Parallel.run(parts, (q, of) -> {
      List<Scanned> mine = new ArrayList<>();
      for (List<List<Scanned>> byKey : scannedBy) {
        mine.addAll(byKey.get(q));
      }
      List<Scanned> inOrder = inRevisionOrder(mine);
      ordered.set(q, inOrder);
      rebuilt[q] = rebuild(index, inOrder, compactRev);
    });
    index.restored();
    List<Revision> pending = new ArrayList<>();
    long currentRev = Math.max(1, compactRev);
    long maxSubAtCompact = -1;
    long sizeBytes = 0;
    int records = 0;
    for (Rebuilt r : rebuilt) {
      pending.addAll(r.orphans());
      currentRev = Math.max(currentRev, r.maxRev());
      maxSubAtCompact = Math.max(maxSubAtCompact, r.maxSubAtCompact());
      sizeBytes += r.sizeBytes();
    }
    long t2 = System.nanoTime();
    List<KeyValue> leased = new ArrayList<>();
    for (List<Scanned> part : ordered) {
      records += part.size();
      for (Scanned s : part) {
        if (s.lease() != 0 && !s.tombstone()) {
          KeyIndex.Hit hit = index.get(s.key(), currentRev);
          if (hit != null && hit.modified().equals(s.rev())) {
            leased.add(KeyValue.newBuilder().setKey(ByteString.copyFrom(s.key())).setLease(s.lease())
                .build());
          }
        }
      }
    }
    CompactPoint compactPoint = CompactPoint.NONE;
    if (compactRev > 0) {
      pending.addAll(index.compact(compactRev));
      compactPoint = new CompactPoint(compactRev, maxSubAtCompact, false);
    }
    System.getLogger(StoreRecovery.class.getName()).log(System.Logger.Level.INFO,
        "key index rebuilt from {0} records in {1} parts: scan {2} ms, index {3} ms, total {4} ms", records,
        parts, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t0) / 1_000_000);
    return new Recovered(index, currentRev, compactPoint, pending, consistentIndex, index.liveKeys(), sizeBytes,
        leased);
  }

  /** What replaying one part of the records found: orphan tombstones, and figures merged over all parts. */
  private record Rebuilt(List<Revision> orphans, long maxRev, long maxSubAtCompact, long sizeBytes) {
  }

  /** Replays records (in revision order, each key's records all among them) into index. */
  private static Rebuilt rebuild(TreeIndex index, List<Scanned> records, long compactRev) {
    List<Revision> orphans = new ArrayList<>();
    long maxRev = 0;
    long maxSubAtCompact = -1;
    long sizeBytes = 0;
    for (Scanned s : records) {
      if (!index.restore(s.key(), s.rev(), s.tombstone(), s.createRevision(), s.version())) {
        orphans.add(s.rev());
      }
      maxRev = Math.max(maxRev, s.rev().main());
      if (s.rev().main() == compactRev) {
        maxSubAtCompact = Math.max(maxSubAtCompact, s.rev().sub());
      }
      sizeBytes += KvStore.recordFootprint(s.recordBytes());
    }
    return new Rebuilt(orphans, maxRev, maxSubAtCompact, sizeBytes);
  }

  /**
   * The records sorted by revision. Main revisions are dense (every revision since the compaction has a record),
   * so a counting sort by main revision does it in linear time; then subs, few per main revision, by insertion.
   * Sparse revisions fall back to a comparison sort.
   */
  private static List<Scanned> inRevisionOrder(List<Scanned> scanned) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (Scanned s : scanned) {
      min = Math.min(min, s.rev().main());
      max = Math.max(max, s.rev().main());
    }
    if (scanned.isEmpty() || max - min > 4L * scanned.size() + 1024) {
      scanned.sort(Comparator.comparing(Scanned::rev));
      return scanned;
    }
    int[] next = new int[(int) (max - min) + 2];
    for (Scanned s : scanned) {
      next[(int) (s.rev().main() - min) + 1]++;
    }
    for (int i = 1; i < next.length; i++) {
      next[i] += next[i - 1];
    }
    Scanned[] out = new Scanned[scanned.size()];
    for (Scanned s : scanned) {
      out[next[(int) (s.rev().main() - min)]++] = s;
    }
    for (int i = 1; i < out.length; i++) {
      Scanned x = out[i];
      int j = i - 1;
      for (; j >= 0 && out[j].rev().compareTo(x.rev()) > 0; j--) {
        out[j + 1] = out[j];
      }
      out[j + 1] = x;
    }
    return Arrays.asList(out);
  }

  /** The fields recovery needs from a record's KeyValue, read in place (the value is skipped, not copied). */
  private static Scanned scan(Revision rev, byte[] record, int length) {
    byte[] key = null;
    long create = 0;
    long version = 0;
    long lease = 0;
    try {
      CodedInputStream in = CodedInputStream.newInstance(record, BackendRecord.PAYLOAD_OFFSET,
          length - BackendRecord.PAYLOAD_OFFSET);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag) {
          case (KeyValue.KEY_FIELD_NUMBER << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED ->
              key = in.readByteArray();
          case (KeyValue.CREATE_REVISION_FIELD_NUMBER << 3) -> create = in.readInt64();
          case (KeyValue.VERSION_FIELD_NUMBER << 3) -> version = in.readInt64();
          case (KeyValue.LEASE_FIELD_NUMBER << 3) -> lease = in.readInt64();
          default -> {
            if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_END_GROUP) { // as KeyValue's parser refuses it
              throw new com.google.protobuf.InvalidProtocolBufferException("end-group tag outside a group");
            }
            in.skipField(tag);
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("corrupt KeyValue in mvcc backend record " + rev, e);
    }
    return new Scanned(rev, key == null ? new byte[0] : key, BackendRecord.isTombstone(record), create, version,
        lease, length);
  }
}
