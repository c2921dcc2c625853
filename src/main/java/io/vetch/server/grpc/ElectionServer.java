package io.vetch.server.grpc;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.api.etcdserverpb.TxnResponse;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.api.v3electionpb.CampaignRequest;
import io.vetch.api.v3electionpb.CampaignResponse;
import io.vetch.api.v3electionpb.ElectionService;
import io.vetch.api.v3electionpb.LeaderKey;
import io.vetch.api.v3electionpb.LeaderRequest;
import io.vetch.api.v3electionpb.LeaderResponse;
import io.vetch.api.v3electionpb.ProclaimRequest;
import io.vetch.api.v3electionpb.ProclaimResponse;
import io.vetch.api.v3electionpb.ResignRequest;
import io.vetch.api.v3electionpb.ResignResponse;
import io.vetch.server.base.EtcdErrors;
import io.vertx.core.Future;
import io.vertx.core.streams.WriteStream;

/**
 * etcd's Election service (v3election, clientv3's Election run on the server). A candidate's key is
 * name/&lt;lease hex&gt;; the oldest key under name/ is the leader, and its value is the proclaimed one. Campaign
 * returns only once its key is the oldest and still there (read again after the wait, so an expired lease is never
 * made leader); a call that ends while campaigning resigns. Observe streams the leader each time it or its value
 * changes.
 */
public final class ElectionServer extends ElectionService {
  private final Recipes recipes;

  ElectionServer(Recipes recipes) {
    this.recipes = recipes;
  }

  private static ByteString prefix(ByteString name) {
    return name.concat(ByteString.copyFromUtf8("/"));
  }

  @Override
  public Future<CampaignResponse> campaign(CampaignRequest req) {
    Future<Void> end = CallEnd.current();
    ByteString key = Recipes.keyFor(req.getName(), req.getLease());
    TxnRequest enter = TxnRequest.newBuilder().addCompare(Recipes.createRevisionIs(key, 0))
        .addSuccess(Recipes.put(key, req.getValue(), req.getLease())).addFailure(Recipes.get(key)).build();
    return recipes.kv().txn(enter).compose(t -> {
      LeaderKey leader = LeaderKey.newBuilder().setName(req.getName()).setKey(key).setLease(req.getLease())
          .setRev(t.getSucceeded() ? t.getHeader().getRevision()
              : t.getResponses(0).getResponseRange().getKvs(0).getCreateRevision()).build();
      Future<?> valueSet = t.getSucceeded() || t.getResponses(0).getResponseRange().getKvs(0).getValue()
          .equals(req.getValue()) ? Future.succeededFuture() : proclaim(leader, req.getValue());
      return valueSet
          .recover(e -> {
            resign(leader);
            return Future.failedFuture(e);
          })
          .compose(v -> recipes.awaitTurn(prefix(req.getName()), key, leader.getRev(), end, () -> resign(leader)))
          .map(h -> CampaignResponse.newBuilder().setHeader(h).setLeader(leader).build());
    });
  }

  @Override
  public Future<ProclaimResponse> proclaim(ProclaimRequest req) {
    if (!req.hasLeader()) {
      return Future.failedFuture(EtcdErrors.missingLeaderKey());
    }
    return proclaim(req.getLeader(), req.getValue())
        .map(t -> ProclaimResponse.newBuilder().setHeader(t.getHeader()).build());
  }

  /** Sets the leader's value if leader still holds its key (the key's create revision is leader's). */
  private Future<TxnResponse> proclaim(LeaderKey leader, ByteString value) {
    return recipes.kv().txn(TxnRequest.newBuilder().addCompare(Recipes.createRevisionIs(leader.getKey(),
        leader.getRev())).addSuccess(Recipes.put(leader.getKey(), value, leader.getLease())).build())
        .compose(t -> t.getSucceeded() ? Future.succeededFuture(t)
            : Future.failedFuture(EtcdErrors.electionNotLeader()));
  }

  @Override
  public Future<LeaderResponse> leader(LeaderRequest req) {
    return recipes.kv().range(Recipes.firstCreate(prefix(req.getName())))
        .compose(r -> r.getKvsCount() == 0 ? Future.failedFuture(EtcdErrors.electionNoLeader())
            : Future.succeededFuture(LeaderResponse.newBuilder().setHeader(r.getHeader()).setKv(r.getKvs(0))
                .build()));
  }

  @Override
  public Future<ResignResponse> resign(ResignRequest req) {
    if (!req.hasLeader()) {
      return Future.failedFuture(EtcdErrors.missingLeaderKey());
    }
    return resign(req.getLeader()).map(t -> ResignResponse.newBuilder().setHeader(t.getHeader()).build());
  }

  /** Deletes the leader's key if it is still the one leader created. */
  private Future<TxnResponse> resign(LeaderKey leader) {
    return recipes.kv().txn(TxnRequest.newBuilder().addCompare(Recipes.createRevisionIs(leader.getKey(),
        leader.getRev())).addSuccess(Recipes.delete(leader.getKey())).build());
  }

  /** Streams name's leader to out until the call ends (public for the gateway and in-process clients). */
  @Override
  public void observe(LeaderRequest req, WriteStream<LeaderResponse> out) {
    Future<Void> end = CallEnd.current();
    var messages = io.vetch.server.metrics.GrpcMethodMetrics.current();
    out.exceptionHandler(e -> { });
    observe(prefix(req.getName()), out, end, null, messages);
  }

  /** One round: reads the leader, sends it if it differs from last, then waits for a change under prefix. */
  private void observe(ByteString prefix, WriteStream<LeaderResponse> out, Future<Void> end, KeyValue last,
      io.vetch.server.metrics.GrpcMethodMetrics messages) {
    if (end.isComplete()) {
      return;
    }
    recipes.kv().range(Recipes.firstCreate(prefix)).onFailure(e -> out.end()).onSuccess(r -> {
      KeyValue now = r.getKvsCount() == 0 ? last : r.getKvs(0);
      if (now != null && (last == null || !now.getKey().equals(last.getKey())
          || now.getModRevision() != last.getModRevision())) {
        out.write(LeaderResponse.newBuilder().setHeader(r.getHeader()).setKv(now).build());
        messages.sent(1);
      }
      Runnable next = () -> recipes.nextChange(prefix, r.getHeader().getRevision(), end)
          .onSuccess(v -> observe(prefix, out, end, now, messages));
      if (out.writeQueueFull()) {
        out.drainHandler(v -> next.run());
      } else {
        next.run();
      }
    });
  }
}
