package io.vetch.server.http;

import io.vetch.api.etcdserverpb.AlarmMember;
import io.vetch.api.etcdserverpb.AlarmType;
import io.vetch.api.etcdserverpb.MaintenanceGrpcClient;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.etcdserverpb.StatusRequest;
import io.vetch.api.etcdserverpb.StatusResponse;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.auth.AuthInfo;
import io.vetch.server.auth.RequestToken;
import io.vetch.server.grpc.MaintenanceServer;
import io.vetch.server.grpc.MemberParts;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The web console (--enable-ui): the pages under /ui/, bundled in the jar (resources io/vetch/ui), and the two
 * calls the pages need that etcd's gateway lacks: {@code GET /ui/api/cluster}, every member's status at once, and
 * {@code GET /ui/api/metrics}, this member's metric history (sampled by the member every 5 s).
 * The pages do everything else through the gateway (/v3/...) with the user's token, so the
 * console can do exactly what that user may do. With auth enabled, /ui/api/cluster wants a valid token too.
 */
public final class Console {
  private static final long PEER_TIMEOUT_MS = 2_000;

  private final MemberParts member;
  private final MaintenanceServer maintenance;
  private final GrpcClient client;

  /** member: the member the console shows; client: for the other members' Status calls (closed by the caller). */
  public Console(MemberParts member, MaintenanceServer maintenance, GrpcClient client) {
    this.member = member;
    this.maintenance = maintenance;
    this.client = client;
  }

  public void mount(Router r) {
    r.get("/ui").handler(rc -> { // vertx-web routes /ui/ here too
      if (rc.request().path().equals("/ui")) {
        rc.redirect("/ui/");
      } else {
        rc.next();
      }
    });
    r.get("/ui/api/cluster").handler(this::cluster);
    r.get("/ui/api/metrics").handler(this::metrics);
    r.get("/ui/*").handler(StaticHandler.create("io/vetch/ui").setCachingEnabled(false).setIndexPage("index.html"));
  }

  private void cluster(RoutingContext rc) {
    RequestToken.bind(rc.request().getHeader("authorization"));
    try {
      if (member.auth().store().enabled() && member.auth().authInfo() == AuthInfo.NONE) {
        throw new StatusException(GrpcStatus.INVALID_ARGUMENT, "etcdserver: user name is empty");
      }
    } catch (StatusException e) {
      rc.response().setStatusCode(GatewayJson.httpStatus(e.status())).putHeader("content-type", "application/json")
          .end(GatewayJson.errorBody(e));
      return;
    }
    List<Member> members = member.membership().members();
    List<Future<StatusResponse>> answers = new ArrayList<>();
    for (Member m : members) {
      answers.add(m.getID() == member.headers().memberId() ? maintenance.status(StatusRequest.getDefaultInstance())
          : ask(m));
    }
    Future.join(answers).onComplete(done -> {
      long leader = member.status().leader();
      long quota = member.quota().quotaBytes();
      JsonArray list = new JsonArray();
      for (int i = 0; i < members.size(); i++) {
        list.add(member(members.get(i), answers.get(i), leader));
      }
      JsonArray alarms = new JsonArray();
      for (AlarmMember a : member.alarms().get(AlarmType.NONE)) {
        alarms.add(new JsonObject().put("memberID", Long.toHexString(a.getMemberID()))
            .put("alarm", a.getAlarm().name()));
      }
      JsonObject body = new JsonObject()
          .put("clusterId", Long.toHexString(member.headers().clusterId()))
          .put("memberId", Long.toHexString(member.headers().memberId()))
          .put("leader", Long.toHexString(leader))
          .put("revision", member.store().currentRevision())
          .put("quotaBackendBytes", quota == Long.MAX_VALUE ? 0 : quota)
          .put("members", list)
          .put("alarms", alarms);
      rc.response().putHeader("content-type", "application/json").putHeader("cache-control", "no-store")
          .end(body.encode());
    });
  }

  /** The metric history for the charts: totals every few seconds over the last minutes (no auth: as /metrics). */
  private void metrics(RoutingContext rc) {
    JsonArray samples = new JsonArray();
    for (var x : member.metrics().history()) {
      samples.add(new JsonArray().add(x.timeMs()).add(x.writes()).add(x.reads()).add(x.fsyncs())
          .add(x.fsyncSeconds()).add(x.committed()).add(x.pending()).add(x.failed()));
    }
    rc.response().putHeader("content-type", "application/json").putHeader("cache-control", "no-store")
        .end(new JsonObject().put("fields", new JsonArray(List.of("time_ms", "writes", "reads", "fsyncs",
            "fsync_seconds", "committed", "pending", "failed"))).put("samples", samples).encode());
  }

  private static JsonObject member(Member m, Future<StatusResponse> answer, long leader) {
    JsonObject j = new JsonObject()
        .put("id", Long.toHexString(m.getID()))
        .put("name", m.getName())
        .put("clientURLs", new JsonArray(new ArrayList<>(m.getClientURLsList())))
        .put("peerURLs", new JsonArray(new ArrayList<>(m.getPeerURLsList())))
        .put("role", m.getIsLearner() ? "learner" : m.getID() == leader ? "leader" : "follower");
    if (answer.failed()) {
      return j.put("healthy", false).put("error", EtcdErrors.describe(answer.cause()));
    }
    StatusResponse s = answer.result();
    return j.put("raftTerm", s.getRaftTerm())
        .put("raftIndex", s.getRaftIndex())
        .put("raftAppliedIndex", s.getRaftAppliedIndex())
        .put("dbSize", s.getDbSize())
        .put("dbSizeInUse", s.getDbSizeInUse())
        .put("version", s.getVersion())
        .put("errors", new JsonArray(new ArrayList<>(s.getErrorsList())))
        .put("healthy", s.getLeader() != 0 && s.getErrorsCount() == 0);
  }

  /** A member's Status over gRPC at its first client URL (plain-text URLs only: TLS ones report an error). */
  private Future<StatusResponse> ask(Member m) {
    if (m.getClientURLsCount() == 0) {
      return Future.failedFuture("member has not published client URLs yet");
    }
    URI url = URI.create(m.getClientURLs(0));
    if (!"http".equals(url.getScheme())) {
      return Future.failedFuture("status over " + url.getScheme() + " is not fetched by the console");
    }
    return MaintenanceGrpcClient.create(client, SocketAddress.inetSocketAddress(url.getPort(), url.getHost()))
        .status(StatusRequest.getDefaultInstance())
        .timeout(PEER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }
}
