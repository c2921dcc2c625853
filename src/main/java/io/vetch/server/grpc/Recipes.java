package io.vetch.server.grpc;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.Compare;
import io.vetch.api.etcdserverpb.DeleteRangeRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RequestOp;
import io.vetch.api.etcdserverpb.ResponseHeader;
import io.vetch.server.base.EtcdErrors;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * The pieces of etcd's client-side concurrency recipes (clientv3/concurrency) that its Lock and Election services
 * are built from, run here against this member's KV service so that validation, auth and linearizable reads are
 * the same as a client's. Event loop of the client verticle whose {@link KeyChanges} it uses.
 */
final class Recipes {
  private final KvServer kv;
  private final KeyChanges changes;

  Recipes(KvServer kv, KeyChanges changes) {
    this.kv = kv;
    this.changes = changes;
  }

  KvServer kv() {
    return kv;
  }

  /** etcd's GetPrefixRangeEnd: the range end that covers every key starting with prefix. */
  static ByteString prefixEnd(ByteString prefix) {
    byte[] end = prefix.toByteArray();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return ByteString.copyFrom(end, 0, i + 1);
      }
    }
    return ByteString.copyFrom(new byte[] {0});
  }

  /** The key under prefix created first (etcd's WithFirstCreate): the lock holder, the election leader. */
  static RangeRequest firstCreate(ByteString prefix) {
    return RangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd(prefix)).setLimit(1)
        .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.ASCEND).build();
  }

  static RequestOp range(RangeRequest r) {
    return RequestOp.newBuilder().setRequestRange(r).build();
  }

  static RequestOp get(ByteString key) {
    return range(RangeRequest.newBuilder().setKey(key).build());
  }

  static RequestOp put(ByteString key, ByteString value, long lease) {
    return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key).setValue(value).setLease(lease))
        .build();
  }

  static RequestOp delete(ByteString key) {
    return RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(key)).build();
  }

  /** The compare "key's create revision = rev" (rev 0: the key does not exist). */
  static Compare createRevisionIs(ByteString key, long rev) {
    return Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.CREATE)
        .setResult(Compare.CompareResult.EQUAL).setCreateRevision(rev).build();
  }

  /**
   * etcd's waitDeletes: waits until no key under prefix has a create revision at or below maxCreateRev, taking the
   * newest such key each round and waiting for it to change. Fails with canceled when end completes first.
   */
  Future<ResponseHeader> waitDeletes(ByteString prefix, long maxCreateRev, Future<Void> end) {
    Promise<ResponseHeader> done = Promise.promise();
    RangeRequest last = RangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd(prefix)).setLimit(1)
        .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.DESCEND)
        .setMaxCreateRevision(maxCreateRev).build();
    end.onComplete(v -> done.tryFail(EtcdErrors.canceled()));
    round(last, end, done);
    return done.future();
  }

  private void round(RangeRequest last, Future<Void> end, Promise<ResponseHeader> done) {
    if (end.isComplete()) {
      return;
    }
    kv.range(last).onFailure(done::tryFail).onSuccess(r -> {
      if (r.getKvsCount() == 0) {
        done.tryComplete(r.getHeader());
        return;
      }
      changes.next(r.getKvs(0).getKey(), null, r.getHeader().getRevision(), end)
          .onSuccess(v -> round(last, end, done));
    });
  }

  /**
   * Waits for the turn of key, created at myRev under prefix: until every key under prefix created before it is
   * gone. Then reads key again (linearizably) and fails with "session: session is expired" unless it is still the
   * one created at myRev: its lease may have expired meanwhile (etcd #11456). If waiting or reading fails, giveUp
   * runs first (the caller deletes its key or resigns). Completes with the header of that read.
   */
  Future<ResponseHeader> awaitTurn(ByteString prefix, ByteString key, long myRev, Future<Void> end,
      Runnable giveUp) {
    return waitDeletes(prefix, myRev - 1, end)
        .compose(h -> kv.range(RangeRequest.newBuilder().setKey(key).build()))
        .recover(e -> {
          giveUp.run();
          return Future.failedFuture(e);
        })
        .compose(g -> g.getKvsCount() == 0 || g.getKvs(0).getCreateRevision() != myRev
            ? Future.failedFuture(EtcdErrors.sessionExpired()) : Future.succeededFuture(g.getHeader()));
  }

  /** Waits for a change under prefix after revision seenAt (or for end). */
  Future<Void> nextChange(ByteString prefix, long seenAt, Future<Void> end) {
    return changes.next(prefix, prefixEnd(prefix), seenAt, end);
  }

  /** The lease id in the hex form etcd puts in lock and election keys. */
  static ByteString keyFor(ByteString name, long lease) {
    return name.concat(ByteString.copyFromUtf8("/" + Long.toHexString(lease)));
  }
}
