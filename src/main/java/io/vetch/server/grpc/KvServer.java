package io.vetch.server.grpc;

import io.vetch.api.etcdserverpb.CompactionRequest;
import io.vetch.api.etcdserverpb.CompactionResponse;
import io.vetch.api.etcdserverpb.DeleteRangeRequest;
import io.vetch.api.etcdserverpb.DeleteRangeResponse;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.api.etcdserverpb.KVService;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.PutResponse;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RangeResponse;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.api.etcdserverpb.TxnResponse;
import io.vetch.mvcc.KvStore;
import io.vetch.server.apply.AuthApplier;
import io.vetch.server.apply.Quota;
import io.vetch.server.apply.ReadOnlyTxn;
import io.vetch.server.apply.RangeQuery;
import io.vetch.server.apply.RequestChecks;
import io.vetch.server.metrics.ServerMetrics;
import io.vetch.server.wire.FrameBuffer;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.server.StatusException;
import java.util.List;

/**
 * etcd's KV service. Writes are validated here, then proposed through Raft and answered once applied.
 * Reads run against the local MVCC store on the calling event loop: serializable ones at once, linearizable ones
 * after a ReadIndex round confirms this member has applied everything committed before the read arrived.
 */
public final class KvServer extends KVService {
  private final KvStore store;
  private final Headers headers;
  private final CallAuth auth;
  private final ReadIndex readIndex;
  private final Proposer proposer;
  private final QuotaAlarmer quota;
  private final ServerMetrics metrics;
  private final int maxTxnOps;

  /** maxTxnOps: --max-txn-ops, the most operations on each nesting level of a txn. */
  public KvServer(KvStore store, Headers headers, CallAuth auth, ReadIndex readIndex, Proposer proposer,
      QuotaAlarmer quota, ServerMetrics metrics, int maxTxnOps) {
    this.store = store;
    this.headers = headers;
    this.auth = auth;
    this.readIndex = readIndex;
    this.proposer = proposer;
    this.quota = quota;
    this.metrics = metrics;
    this.maxTxnOps = maxTxnOps;
  }

  @Override
  public Future<RangeResponse> range(RangeRequest r) {
    return read(r, t -> {
      RangeResponse.Builder b = RangeQuery.execute(store::range, r);
      return b.setHeader(headers.at(b.getHeader().getRevision(), t)).build();
    });
  }

  /**
   * Range for gRPC callers: the reply gRPC-framed, in chunks, encoded from the stored records where no decoding is
   * needed.
   */
  Future<List<Buffer>> rangeFramed(RangeRequest r) {
    if (!RangeQuery.servesStored(r)) {
      return range(r).map(resp -> List.of(FrameBuffer.framed(resp)));
    }
    return read(r, t -> {
      RangeQuery.Stored answer = RangeQuery.executeStored(store::rangeRecords, r);
      return StoredRangeReply.framed(headers.at(answer.rev(), t), answer);
    });
  }

  private interface Read<T> {
    T at(long term) throws StatusException;
  }

  /** Checks r and its permission, waits for the read index unless serializable, then reads on this thread. */
  private <T> Future<T> read(RangeRequest r, Read<T> read) {
    metrics.kv("range");
    try {
      RequestChecks.range(r);
      auth.store().checkRead(auth.authInfo(), r.getKey().toByteArray(), r.getRangeEnd().toByteArray());
    } catch (StatusException e) {
      return Future.failedFuture(e);
    }
    Future<Long> term = r.getSerializable() ? Future.succeededFuture(headers.term()) : readIndex.await();
    return term.compose(t -> {
      try {
        return Future.succeededFuture(read.at(t));
      } catch (StatusException e) {
        return Future.failedFuture(e);
      }
    });
  }

  @Override
  public Future<PutResponse> put(PutRequest r) {
    metrics.kv("put");
    try {
      RequestChecks.put(r);
    } catch (StatusException e) {
      return Future.failedFuture(e);
    }
    StatusException full = quota.check(Quota.cost(r));
    if (full != null) {
      return Future.failedFuture(full);
    }
    return proposer.propose(InternalRaftRequest.newBuilder().setPut(r));
  }

  @Override
  public Future<DeleteRangeResponse> deleteRange(DeleteRangeRequest r) {
    metrics.kv("delete");
    try {
      RequestChecks.deleteRange(r);
    } catch (StatusException e) {
      return Future.failedFuture(e);
    }
    return proposer.propose(InternalRaftRequest.newBuilder().setDeleteRange(r));
  }

  @Override
  public Future<TxnResponse> txn(TxnRequest r) {
    metrics.kv("txn");
    try {
      RequestChecks.txn(r, maxTxnOps);
    } catch (StatusException e) {
      return Future.failedFuture(e);
    }
    if (ReadOnlyTxn.isReadOnly(r)) {
      try {
        AuthApplier.checkReads(auth.store(), auth.authInfo(), r);
      } catch (StatusException e) {
        return Future.failedFuture(e);
      }
    } else {
      StatusException full = quota.check(Quota.cost(r));
      if (full != null) {
        return Future.failedFuture(full);
      }
      return proposer.propose(InternalRaftRequest.newBuilder().setTxn(r));
    }
    Future<Long> term = ReadOnlyTxn.isSerializable(r) ? Future.succeededFuture(headers.term()) : readIndex.await();
    return term.compose(t -> {
      try {
        TxnResponse.Builder b = ReadOnlyTxn.execute(store, r);
        return Future.succeededFuture(b.setHeader(headers.at(b.getHeader().getRevision(), t)).build());
      } catch (StatusException e) {
        return Future.failedFuture(e);
      }
    });
  }

  @Override
  public Future<CompactionResponse> compact(CompactionRequest r) {
    return proposer.propose(InternalRaftRequest.newBuilder().setCompaction(r));
  }
}
