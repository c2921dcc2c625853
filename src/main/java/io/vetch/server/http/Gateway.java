package io.vetch.server.http;

import com.google.protobuf.Message;
import io.vetch.api.etcdserverpb.*;
import io.vetch.api.v3electionpb.CampaignRequest;
import io.vetch.api.v3electionpb.LeaderRequest;
import io.vetch.api.v3electionpb.LeaderResponse;
import io.vetch.api.v3electionpb.ProclaimRequest;
import io.vetch.api.v3electionpb.ResignRequest;
import io.vetch.api.v3lockpb.LockRequest;
import io.vetch.api.v3lockpb.UnlockRequest;
import io.vetch.server.auth.RequestToken;
import io.vetch.server.grpc.Services;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.grpc.server.StatusException;
import java.util.function.Function;

/**
 * etcd's gRPC gateway: the v3 API as JSON over HTTP POST on the client port (see {@link GatewayJson} for the
 * encoding). Unary calls answer one JSON object; streaming ones (watch, lease keep-alive, snapshot, election
 * observe) a line per response. The auth token comes in the {@code Authorization} header. Paths under /v3beta/
 * and /v3alpha/ are the same calls. Every call runs the same service code as its gRPC twin.
 */
public final class Gateway {
  private final Services s;
  private final int maxRequestBytes;

  public Gateway(Services services, int maxRequestBytes) {
    this.s = services;
    this.maxRequestBytes = maxRequestBytes;
  }

  public void mount(Router r) {
    r.route("/v3beta/*").handler(rc -> rc.reroute("/v3/" + rc.pathParam("*")));
    r.route("/v3alpha/*").handler(rc -> rc.reroute("/v3/" + rc.pathParam("*")));
    r.post("/v3/watch").handler(rc -> {
      RequestToken.bind(rc.request().getHeader("authorization"));
      s.watch().open(new JsonWatchChannel(rc.request(), maxRequestBytes));
    });
    r.post("/v3/*").handler(BodyHandler.create(false).setBodyLimit(maxRequestBytes));

    unary(r, "/v3/kv/range", RangeRequest.getDefaultInstance(), s.kv()::range);
    unary(r, "/v3/kv/put", PutRequest.getDefaultInstance(), s.kv()::put);
    unary(r, "/v3/kv/deleterange", DeleteRangeRequest.getDefaultInstance(), s.kv()::deleteRange);
    unary(r, "/v3/kv/txn", TxnRequest.getDefaultInstance(), s.kv()::txn);
    unary(r, "/v3/kv/compaction", CompactionRequest.getDefaultInstance(), s.kv()::compact);

    for (String base : new String[] {"/v3/lease/", "/v3/kv/lease/"}) {
      unary(r, base + "revoke", LeaseRevokeRequest.getDefaultInstance(), s.lease()::leaseRevoke);
      unary(r, base + "timetolive", LeaseTimeToLiveRequest.getDefaultInstance(), s.lease()::leaseTimeToLive);
      unary(r, base + "leases", LeaseLeasesRequest.getDefaultInstance(), s.lease()::leaseLeases);
    }
    unary(r, "/v3/lease/grant", LeaseGrantRequest.getDefaultInstance(), s.lease()::leaseGrant);
    r.post("/v3/lease/keepalive").handler(this::keepAlive);

    unary(r, "/v3/cluster/member/add", MemberAddRequest.getDefaultInstance(), s.cluster()::memberAdd);
    unary(r, "/v3/cluster/member/remove", MemberRemoveRequest.getDefaultInstance(), s.cluster()::memberRemove);
    unary(r, "/v3/cluster/member/update", MemberUpdateRequest.getDefaultInstance(), s.cluster()::memberUpdate);
    unary(r, "/v3/cluster/member/list", MemberListRequest.getDefaultInstance(), s.cluster()::memberList);
    unary(r, "/v3/cluster/member/promote", MemberPromoteRequest.getDefaultInstance(), s.cluster()::memberPromote);

    unary(r, "/v3/maintenance/alarm", AlarmRequest.getDefaultInstance(), s.maintenance()::alarm);
    unary(r, "/v3/maintenance/status", StatusRequest.getDefaultInstance(), s.maintenance()::status);
    unary(r, "/v3/maintenance/defragment", DefragmentRequest.getDefaultInstance(), s.maintenance()::defragment);
    unary(r, "/v3/maintenance/hash", HashRequest.getDefaultInstance(), s.maintenance()::hash);
    unary(r, "/v3/maintenance/hashkv", HashKVRequest.getDefaultInstance(), s.maintenance()::hashKV);
    unary(r, "/v3/maintenance/downgrade", io.vetch.api.etcdserverpb.DowngradeRequest.getDefaultInstance(),
        s.maintenance()::downgrade);
    unary(r, "/v3/maintenance/transfer-leadership", MoveLeaderRequest.getDefaultInstance(),
        s.maintenance()::moveLeader);
    r.post("/v3/maintenance/snapshot").handler(rc -> call(rc, SnapshotRequest.getDefaultInstance(), req -> {
      JsonLines<SnapshotResponse> out = new JsonLines<>(rc.response());
      s.maintenance().snapshot(req).onFailure(out::fail).onSuccess(stream -> {
        stream.exceptionHandler(out::fail);
        stream.pipeTo(out);
      });
    }));

    unary(r, "/v3/auth/enable", AuthEnableRequest.getDefaultInstance(), s.auth()::authEnable);
    unary(r, "/v3/auth/disable", AuthDisableRequest.getDefaultInstance(), s.auth()::authDisable);
    unary(r, "/v3/auth/status", AuthStatusRequest.getDefaultInstance(), s.auth()::authStatus);
    unary(r, "/v3/auth/authenticate", AuthenticateRequest.getDefaultInstance(), s.auth()::authenticate);
    unary(r, "/v3/auth/user/add", AuthUserAddRequest.getDefaultInstance(), s.auth()::userAdd);
    unary(r, "/v3/auth/user/get", AuthUserGetRequest.getDefaultInstance(), s.auth()::userGet);
    unary(r, "/v3/auth/user/list", AuthUserListRequest.getDefaultInstance(), s.auth()::userList);
    unary(r, "/v3/auth/user/delete", AuthUserDeleteRequest.getDefaultInstance(), s.auth()::userDelete);
    unary(r, "/v3/auth/user/changepw", AuthUserChangePasswordRequest.getDefaultInstance(),
        s.auth()::userChangePassword);
    unary(r, "/v3/auth/user/grant", AuthUserGrantRoleRequest.getDefaultInstance(), s.auth()::userGrantRole);
    unary(r, "/v3/auth/user/revoke", AuthUserRevokeRoleRequest.getDefaultInstance(), s.auth()::userRevokeRole);
    unary(r, "/v3/auth/role/add", AuthRoleAddRequest.getDefaultInstance(), s.auth()::roleAdd);
    unary(r, "/v3/auth/role/get", AuthRoleGetRequest.getDefaultInstance(), s.auth()::roleGet);
    unary(r, "/v3/auth/role/list", AuthRoleListRequest.getDefaultInstance(), s.auth()::roleList);
    unary(r, "/v3/auth/role/delete", AuthRoleDeleteRequest.getDefaultInstance(), s.auth()::roleDelete);
    unary(r, "/v3/auth/role/grant", AuthRoleGrantPermissionRequest.getDefaultInstance(),
        s.auth()::roleGrantPermission);
    unary(r, "/v3/auth/role/revoke", AuthRoleRevokePermissionRequest.getDefaultInstance(),
        s.auth()::roleRevokePermission);

    unary(r, "/v3/lock/lock", LockRequest.getDefaultInstance(), s.lock()::lock);
    unary(r, "/v3/lock/unlock", UnlockRequest.getDefaultInstance(), s.lock()::unlock);
    unary(r, "/v3/election/campaign", CampaignRequest.getDefaultInstance(), s.election()::campaign);
    unary(r, "/v3/election/proclaim", ProclaimRequest.getDefaultInstance(), s.election()::proclaim);
    unary(r, "/v3/election/leader", LeaderRequest.getDefaultInstance(), s.election()::leader);
    unary(r, "/v3/election/resign", ResignRequest.getDefaultInstance(), s.election()::resign);
    r.post("/v3/election/observe").handler(rc -> call(rc, LeaderRequest.getDefaultInstance(),
        req -> s.election().observe(req, new JsonLines<LeaderResponse>(rc.response()))));
  }

  private <Q extends Message> void unary(Router r, String path, Q proto,
      Function<Q, Future<? extends Message>> method) {
    r.post(path).handler(rc -> call(rc, proto, req -> {
      Future<? extends Message> f;
      try {
        f = method.apply(req);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onSuccess(m -> rc.response().putHeader("content-type", "application/json").end(GatewayJson.print(m)))
          .onFailure(e -> fail(rc, GatewayJson.status(e)));
    }));
  }

  /** Binds the caller's token, parses the body as a proto's JSON and hands it on; a bad body is INVALID_ARGUMENT. */
  private <Q extends Message> void call(RoutingContext rc, Q proto, java.util.function.Consumer<Q> then) {
    RequestToken.bind(rc.request().getHeader("authorization"));
    Q req;
    try {
      req = GatewayJson.parse(rc.body().asString(), proto);
    } catch (StatusException e) {
      fail(rc, e);
      return;
    }
    then.accept(req);
  }

  /** Lease keep-alive: one answer line per request object in the body, then the end (the client closed sending). */
  private void keepAlive(RoutingContext rc) {
    RequestToken.bind(rc.request().getHeader("authorization"));
    JsonLines<LeaseKeepAliveResponse> out = new JsonLines<>(rc.response());
    JsonObjects objects = new JsonObjects(maxRequestBytes, json -> {
      try {
        out.write(s.lease().keepAlive(GatewayJson.parse(json, LeaseKeepAliveRequest.getDefaultInstance())));
      } catch (StatusException e) {
        out.fail(e);
      }
    }, why -> out.fail(new StatusException(io.vertx.grpc.common.GrpcStatus.INVALID_ARGUMENT, why)));
    objects.feed(rc.body().buffer() == null ? io.vertx.core.buffer.Buffer.buffer() : rc.body().buffer());
    objects.end();
    out.end();
  }

  private static void fail(RoutingContext rc, StatusException s) {
    if (!rc.response().ended()) {
      rc.response().setStatusCode(GatewayJson.httpStatus(s.status())).putHeader("content-type", "application/json")
          .end(GatewayJson.errorBody(s));
    }
  }
}
