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
import io.vetch.server.apply.AuthApplier;
import io.vetch.server.apply.Quota;
import io.vetch.server.apply.ReadOnlyTxn;
import io.vetch.server.apply.RangeQuery;
import io.vetch.server.apply.RequestChecks;
import io.vetch.server.wire.GrpcFraming;
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
  private final ClientContext ctx;

  public KvServer(ClientContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public Future<RangeResponse> range(RangeRequest r) {
    return read(r, t -> {
      RangeResponse.Builder b = RangeQuery.execute(ctx.store()::range, r);
      return b.setHeader(ctx.header(b.getHeader().getRevision(), t)).build();
    });
  }

  /**
   * Range for gRPC callers: the reply gRPC-framed, in chunks, encoded from the stored records where no decoding is
   * needed.
   */
  Future<List<Buffer>> rangeFramed(RangeRequest r) {
    if (!RangeQuery.servesStored(r)) {
      return range(r).map(resp -> List.of(GrpcFraming.append(Buffer.buffer(), resp)));
    }
    return read(r, t -> {
      RangeQuery.Stored answer = RangeQuery.executeStored(ctx.store()::rangeRecords, r);
      return StoredRangeReply.framed(ctx.header(answer.rev(), t), answer);
    });
  }

  private interface Read<T> {
    T at(long term) throws StatusException;
  }

  /** Checks r and its permission, waits for the read index unless serializable, then reads on this thread. */
  private <T> Future<T> read(RangeRequest r, Read<T> read) {
    ctx.metrics().kv("range");
    try {
      RequestChecks.range(r);
      ctx.auth().checkRead(ctx.authInfo(), r.getKey().toByteArray(), r.getRangeEnd().toByteArray());
    } catch (StatusException e) {
      return Future.failedFuture(e);
    }
    Future<Long> term = r.getSerializable() ? Future.succeededFuture(ctx.status().term()) : ctx.readIndex();
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
    ctx.metrics().kv("put");
    try {
      RequestChecks.put(r);
    } catch (StatusException e) {
      return Future.failedFuture(e);
    }
    StatusException full = ctx.checkQuota(Quota.cost(r));
    if (full != null) {
      return Future.failedFuture(full);
    }
    return ctx.propose(InternalRaftRequest.newBuilder().setPut(r));
  }

  @Override
  public Future<DeleteRangeResponse> deleteRange(DeleteRangeRequest r) {
    ctx.metrics().kv("delete");
    try {
      RequestChecks.deleteRange(r);
    } catch (StatusException e) {
      return Future.failedFuture(e);
    }
    return ctx.propose(InternalRaftRequest.newBuilder().setDeleteRange(r));
  }

  @Override
  public Future<TxnResponse> txn(TxnRequest r) {
    ctx.metrics().kv("txn");
    try {
      RequestChecks.txn(r, ctx.maxTxnOps());
    } catch (StatusException e) {
      return Future.failedFuture(e);
    }
    if (ReadOnlyTxn.isReadOnly(r)) {
      try {
        AuthApplier.checkReads(ctx.auth(), ctx.authInfo(), r);
      } catch (StatusException e) {
        return Future.failedFuture(e);
      }
    } else {
      StatusException full = ctx.checkQuota(Quota.cost(r));
      if (full != null) {
        return Future.failedFuture(full);
      }
      return ctx.propose(InternalRaftRequest.newBuilder().setTxn(r));
    }
    Future<Long> term = ReadOnlyTxn.isSerializable(r) ? Future.succeededFuture(ctx.status().term()) : ctx.readIndex();
    return term.compose(t -> {
      try {
        TxnResponse.Builder b = ReadOnlyTxn.execute(ctx.store(), r);
        return Future.succeededFuture(b.setHeader(ctx.header(b.getHeader().getRevision(), t)).build());
      } catch (StatusException e) {
        return Future.failedFuture(e);
      }
    });
  }

  @Override
  public Future<CompactionResponse> compact(CompactionRequest r) {
    return ctx.propose(InternalRaftRequest.newBuilder().setCompaction(r));
  }
}
