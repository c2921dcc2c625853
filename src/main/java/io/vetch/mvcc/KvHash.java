package io.vetch.mvcc;

import io.vetch.api.mvccpb.Event;
import io.vetch.api.mvccpb.KeyValue;
import java.util.zip.CRC32C;

/**
 * etcd's HashKV: a CRC-32C (Castagnoli, as etcd) over the history a member keeps up to a revision, so members can
 * be compared: the key-values alive at the compact revision (key order), then every event after it up to the
 * revision (revision order, each as type, key-value). Members that applied the same entries give equal hashes,
 * whatever their physical compaction has already deleted.
 */
public final class KvHash {
  private static final int CHUNK_EVENTS = 4096;

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
    if (compacted > 0) {
      for (KeyValue kv : store.range(new byte[] {0}, new byte[] {0}, compacted, 0, false).kvs()) {
        crc.update(kv.toByteArray());
      }
    }
    long next = compacted + 1;
    while (next <= at) {
      KvStore.EventChunk chunk = store.readEvents(next, at, CHUNK_EVENTS);
      for (Event e : chunk.events()) {
        crc.update(e.getTypeValue());
        crc.update(e.getKv().toByteArray());
      }
      if (chunk.through() < next) {
        break; // nothing more (revisions past the current one)
      }
      next = chunk.through() + 1;
    }
    return new Result((int) crc.getValue(), at, compacted);
  }
}
