package io.vetch.mvcc;

import io.vetch.api.mvccpb.Event;
import java.util.List;

/**
 * One write transaction (etcd's storeTxnWrite). Writer thread only; at most one open at a time. Every change
 * made through it shares one main revision (current + 1) with sub revisions 0, 1, 2, ... in call order. Reads
 * inside it see its own earlier writes. Nothing is visible to other readers until {@link #end()}, which
 * publishes the whole transaction at once. A transaction that changed nothing does not consume a revision.
 */
public interface WriteTxn {
  /** Like {@link KvStore#range} but at this txn's revision (rev 0 = {@link #revision()}). */
  RangeResult range(byte[] key, byte[] end, long rev, long limit, boolean countOnly)
      throws CompactedException, FutureRevisionException;

  /** Puts key = value with the given lease (0 = none); returns this txn's main revision. */
  long put(byte[] key, byte[] value, long lease);

  /** Deletes every key live in [key, end) (same range forms as range); returns the number deleted. */
  long deleteRange(byte[] key, byte[] end);

  /** This txn's main revision if it wrote anything, else the current revision. */
  long revision();

  /**
   * Publishes the transaction: records the raft index as the consistent index (after the data it covers),
   * then makes the new revision visible to readers. Returns the changes as events in sub-revision order:
   * PUT with the full kv, DELETE with kv {key, mod_revision = txn revision}.
   */
  List<Event> end();
}
