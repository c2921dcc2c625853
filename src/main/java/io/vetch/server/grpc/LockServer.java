package io.vetch.server.grpc;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.DeleteRangeRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.api.v3lockpb.LockRequest;
import io.vetch.api.v3lockpb.LockResponse;
import io.vetch.api.v3lockpb.LockService;
import io.vetch.api.v3lockpb.UnlockRequest;
import io.vetch.api.v3lockpb.UnlockResponse;
import io.vertx.core.Future;

/**
 * etcd's Lock service (v3lock, which runs clientv3's Mutex on the server). Lock puts name/&lt;lease hex&gt; with the
 * caller's lease and waits until every key under name/ created before it is gone; the oldest key holds the lock.
 * Before answering, it reads its own key again: a lock whose lease expired while it waited is never reported as
 * held (etcd #11456), and the answer's header is that read's, a revision at which the key existed. A call that
 * ends while waiting deletes its key, as etcd does.
 */
public final class LockServer extends LockService {
  private final Recipes recipes;

  LockServer(Recipes recipes) {
    this.recipes = recipes;
  }

  @Override
  public Future<LockResponse> lock(LockRequest req) {
    Future<Void> end = CallEnd.current();
    ByteString prefix = req.getName().concat(ByteString.copyFromUtf8("/"));
    ByteString myKey = Recipes.keyFor(req.getName(), req.getLease());
    RangeRequest owner = Recipes.firstCreate(prefix);
    TxnRequest acquire = TxnRequest.newBuilder().addCompare(Recipes.createRevisionIs(myKey, 0))
        .addSuccess(Recipes.put(myKey, ByteString.EMPTY, req.getLease())).addSuccess(Recipes.range(owner))
        .addFailure(Recipes.get(myKey)).addFailure(Recipes.range(owner)).build();
    return recipes.kv().txn(acquire).compose(t -> {
      long myRev = t.getSucceeded() ? t.getHeader().getRevision()
          : t.getResponses(0).getResponseRange().getKvs(0).getCreateRevision();
      var holder = t.getResponses(1).getResponseRange().getKvsList(); // the owner range, either branch
      if (holder.isEmpty() || holder.get(0).getCreateRevision() == myRev) {
        return Future.succeededFuture(LockResponse.newBuilder().setHeader(t.getHeader()).setKey(myKey).build());
      }
      return recipes.awaitTurn(prefix, myKey, myRev, end,
              () -> recipes.kv().deleteRange(DeleteRangeRequest.newBuilder().setKey(myKey).build()))
          .map(h -> LockResponse.newBuilder().setHeader(h).setKey(myKey).build());
    });
  }

  @Override
  public Future<UnlockResponse> unlock(UnlockRequest req) {
    return recipes.kv().deleteRange(DeleteRangeRequest.newBuilder().setKey(req.getKey()).build())
        .map(d -> UnlockResponse.newBuilder().setHeader(d.getHeader()).build());
  }
}
