package io.vetch.server.apply;

import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RangeResponse;
import io.vetch.api.etcdserverpb.ResponseHeader;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.mvcc.CompactedException;
import io.vetch.mvcc.FutureRevisionException;
import io.vetch.mvcc.RangeResult;
import io.vetch.mvcc.StoredRange;
import io.vetch.server.base.EtcdErrors;
import io.vertx.grpc.server.StatusException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * etcd's Range semantics on top of an MVCC read (etcd's applyV3backend.Range): sorting, revision filters,
 * limit with "more", count, keys_only. The response header carries only the revision; the caller fills the rest.
 */
public final class RangeQuery {
  private RangeQuery() {}

  public static RangeResponse.Builder execute(KvReader reader, RangeRequest r) throws StatusException {
    boolean filtered = filtered(r);
    RangeRequest.SortOrder order = r.getSortOrder();
    if (r.getSortTarget() != RangeRequest.SortTarget.KEY && order == RangeRequest.SortOrder.NONE) {
      order = RangeRequest.SortOrder.ASCEND; // a sort target without an order means ascending, as in etcd
    }
    boolean sorted = order != RangeRequest.SortOrder.NONE;
    // With sorting or filters every key must be fetched first; otherwise fetch one more than the limit to learn "more".
    long limit = (sorted || filtered || r.getLimit() <= 0) ? 0 : r.getLimit() + 1;

    RangeResult rr = read(reader::range, r, limit);
    RangeResponse.Builder resp = RangeResponse.newBuilder().setCount(rr.count())
        .setHeader(ResponseHeader.newBuilder().setRevision(rr.rev()));
    if (r.getCountOnly()) {
      return resp;
    }
    List<KeyValue> kvs = rr.kvs();
    if (filtered) {
      kvs = filter(kvs, r);
    }
    if (sorted && !(order == RangeRequest.SortOrder.ASCEND && r.getSortTarget() == RangeRequest.SortTarget.KEY)) {
      // Stable sort: ties keep key order, as etcd's sort does for the small result sets clients compare.
      kvs = new ArrayList<>(kvs);
      Comparator<KeyValue> cmp = comparator(r.getSortTarget());
      kvs.sort(order == RangeRequest.SortOrder.DESCEND ? cmp.reversed() : cmp);
    }
    if (r.getLimit() > 0 && kvs.size() > r.getLimit()) {
      kvs = kvs.subList(0, (int) r.getLimit());
      resp.setMore(true);
    }
    for (KeyValue kv : kvs) {
      resp.addKvs(r.getKeysOnly() ? kv.toBuilder().clearValue().build() : kv);
    }
    return resp;
  }

  /** An MVCC range read answering T: KvStore::rangeRecords for {@link #executeStored}. */
  @FunctionalInterface
  public interface MvccRead<T> {
    T range(byte[] key, byte[] end, long rev, long limit, boolean countOnly)
        throws CompactedException, FutureRevisionException;
  }

  /** An answer made of stored records, in reply order, cut at the limit. */
  public record Stored(List<byte[]> records, long rev, long count, boolean more) {}

  /**
   * Whether r's answer can be made of the stored records as they are: no revision filters, no keys_only, and
   * sorted by key if at all. Otherwise {@link #execute} decodes.
   */
  public static boolean servesStored(RangeRequest r) {
    return !filtered(r) && !r.getKeysOnly() && r.getSortTarget() == RangeRequest.SortTarget.KEY;
  }

  /** {@link #execute} for a request {@link #servesStored} accepts. */
  public static Stored executeStored(MvccRead<StoredRange> reader, RangeRequest r) throws StatusException {
    boolean descend = r.getSortOrder() == RangeRequest.SortOrder.DESCEND;
    // Keys come in key order: only a descending sort needs every key before the limit applies.
    long limit = (descend || r.getLimit() <= 0) ? 0 : r.getLimit() + 1;
    StoredRange sr = read(reader::range, r, limit);
    List<byte[]> records = sr.records();
    if (descend) {
      records = new ArrayList<>(records);
      Collections.reverse(records);
    }
    boolean more = r.getLimit() > 0 && records.size() > r.getLimit();
    if (more) {
      records = records.subList(0, (int) r.getLimit());
    }
    return new Stored(records, sr.rev(), sr.count(), more);
  }

  private static boolean filtered(RangeRequest r) {
    return r.getMinModRevision() != 0 || r.getMaxModRevision() != 0
        || r.getMinCreateRevision() != 0 || r.getMaxCreateRevision() != 0;
  }

  /** r's key range at r's revision, fetching at most limit keys (0: all); MVCC errors as etcd's statuses. */
  private static <T> T read(MvccRead<T> reader, RangeRequest r, long limit) throws StatusException {
    try {
      return reader.range(r.getKey().toByteArray(), endOf(r.getRangeEnd()), r.getRevision(), limit, r.getCountOnly());
    } catch (CompactedException e) {
      throw EtcdErrors.compacted();
    } catch (FutureRevisionException e) {
      throw EtcdErrors.futureRev();
    }
  }

  /** A request's range end as the MVCC store takes it: null (empty on the wire) for a single key. */
  static byte[] endOf(com.google.protobuf.ByteString rangeEnd) {
    return rangeEnd.isEmpty() ? null : rangeEnd.toByteArray();
  }

  private static List<KeyValue> filter(List<KeyValue> kvs, RangeRequest r) {
    List<KeyValue> out = new ArrayList<>(kvs.size());
    for (KeyValue kv : kvs) {
      if (r.getMaxModRevision() != 0 && kv.getModRevision() > r.getMaxModRevision()) continue;
      if (r.getMinModRevision() != 0 && kv.getModRevision() < r.getMinModRevision()) continue;
      if (r.getMaxCreateRevision() != 0 && kv.getCreateRevision() > r.getMaxCreateRevision()) continue;
      if (r.getMinCreateRevision() != 0 && kv.getCreateRevision() < r.getMinCreateRevision()) continue;
      out.add(kv);
    }
    return out;
  }

  private static Comparator<KeyValue> comparator(RangeRequest.SortTarget target) {
    return switch (target) {
      case VERSION -> Comparator.comparingLong(KeyValue::getVersion);
      case CREATE -> Comparator.comparingLong(KeyValue::getCreateRevision);
      case MOD -> Comparator.comparingLong(KeyValue::getModRevision);
      case VALUE -> Comparator.comparing(kv -> kv.getValue().toByteArray(), Arrays::compareUnsigned);
      default -> (a, b) -> Arrays.compareUnsigned(a.getKey().toByteArray(), b.getKey().toByteArray());
    };
  }
}
