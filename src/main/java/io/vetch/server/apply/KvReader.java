package io.vetch.server.apply;

import io.vetch.mvcc.CompactedException;
import io.vetch.mvcc.FutureRevisionException;
import io.vetch.mvcc.RangeResult;

/** A view of the MVCC store that ranges: the store itself (reads) or an open write txn (reads its own writes). */
@FunctionalInterface
public interface KvReader {
  RangeResult range(byte[] key, byte[] end, long rev, long limit, boolean countOnly)
      throws CompactedException, FutureRevisionException;
}
