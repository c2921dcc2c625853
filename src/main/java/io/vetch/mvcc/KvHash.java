package io.vetch.mvcc;

import io.vetch.api.mvccpb.KeyValue;
import io.vetch.mvcc.backend.BackendRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * etcd's HashKV (mvcc/kvstore.go HashByRev), so that `etcdctl endpoint hashkv` gives the same number on vetch and on
 * etcd holding the same history: a CRC-32C (Castagnoli) over the bucket name "key", then, in revision order, each
 * stored revision up to the revision hashed that etcd's backend would hold, as etcd stores it: its revision bytes
 * (main | '_' | sub, 't' after a tombstone's) then its KeyValue (a tombstone's holds its key alone). At or below the
 * compact revision only the revisions in effect at the revision hashed (etcd's kvindex.Keep), or, when no key is
 * alive there, those etcd's finished compaction keeps; records whose physical delete is still pending never count.
 */
public final class KvHash {
  private static final byte[] KEY_BUCKET = {'k', 'e', 'y'};

  /** The hash, the revision it covers and the compact revision it started from. */
  public record Result(int hash, long revision, long compactRevision) {}

  private KvHash() {}

  /**
   * Hashes store's history up to rev (0: the current revision). Any thread; reads the whole kept history. A
   * compaction that lands while it reads makes it start over from the new compact revision (a few times at most).
   */
  public static Result compute(KvStore store, long rev) throws CompactedException, FutureRevisionException {
    for (int attempt = 0; ; attempt++) {
      long compactedBefore = store.compactRevision();
      try {
        return computeOnce(store, rev);
      } catch (CompactedException e) {
        if (attempt >= 3 || store.compactRevision() == compactedBefore) {
          throw e;
        }
      }
    }
  }

  private static Result computeOnce(KvStore store, long rev) throws CompactedException, FutureRevisionException {
    long current = store.currentRevision();
    long at = rev == 0 ? current : rev;
    if (at > current) {
      throw new FutureRevisionException();
    }
    long compacted = store.compactRevision();
    if (at < compacted) {
      throw new CompactedException(compacted);
    }
    CRC32C crc = new CRC32C();
    crc.update(KEY_BUCKET);
    if (compacted > 0) {
      List<Revision> atRev = store.keptAt(at);
      // etcd hashes, at or below the compaction, only what kvindex.Keep(at) names; when it names nothing, all its
      // backend holds there, which a finished compaction leaves as the revisions alive at the compact revision
      List<Revision> kept = new ArrayList<>(atRev.isEmpty() ? store.keptAt(compacted) : atRev);
      kept.removeIf(r -> r.main() > compacted);
      kept.sort(null);
      for (Revision r : kept) {
        hash(crc, r.main(), r.sub(), store.record(r.main(), r.sub()));
      }
    }
    for (long main = compacted + 1; main <= at; main++) {
      for (long sub = 0; ; sub++) {
        byte[] record = store.record(main, sub);
        if (record == null) {
          break;
        }
        hash(crc, main, sub, record);
      }
    }
    if (store.compactRevision() != compacted) {
      throw new CompactedException(store.compactRevision()); // its physical deletes may have raced the reads
    }
    return new Result((int) crc.getValue(), at, compacted);
  }

  private static void hash(CRC32C crc, long main, long sub, byte[] record) {
    if (record == null) {
      return;
    }
    boolean tombstone = BackendRecord.isTombstone(record);
    crc.update(Revision.etcdBytes(main, sub, tombstone));
    if (tombstone) {
      crc.update(KeyValue.newBuilder().setKey(KvCodec.decode(record).getKey()).build().toByteArray());
    } else {
      crc.update(record, BackendRecord.PAYLOAD_OFFSET, BackendRecord.payloadLength(record));
    }
  }
}
