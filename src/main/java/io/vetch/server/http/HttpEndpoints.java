package io.vetch.server.http;

import io.vetch.api.etcdserverpb.AlarmMember;
import io.vetch.api.etcdserverpb.AlarmType;
import io.vetch.mvcc.KvStore;
import io.vetch.mvcc.RangeResult;
import io.vetch.server.alarm.AlarmStore;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.grpc.MaintenanceServer;
import io.vetch.server.grpc.MemberParts;
import io.vetch.server.grpc.ReadIndex;
import io.vetch.server.membership.Membership;
import io.vetch.server.metrics.ServerMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * etcd's plain HTTP endpoints, served beside gRPC on the client port and on --listen-metrics-urls:
 * <ul>
 *   <li>{@code /health}: etcd 3.5's JSON {@code {"health":"true|false","reason":...}}, 200 or 503. Checks, first
 *       failure wins: this member's storage ({@code STORAGE FAILURE: no space left on device (wal write)}), alarms (unless named in {@code ?exclude=}), a leader (unless {@code ?serializable=true}), and
 *       a one-key read (linearizable unless serializable).</li>
 *   <li>{@code /livez} (serializable_read) and {@code /readyz} (data_corruption, serializable_read,
 *       linearizable_read, non_learner; a member whose storage failed fails linearizable_read with the storage
 *       failure), and each check at {@code /livez/NAME}, {@code /readyz/NAME}: etcd 3.6's
 *       text checks, {@code ok} (after the per-check lines with {@code ?verbose}), {@code ?exclude=NAME} to skip
 *       one, 503 with the per-check lines when one fails.</li>
 *   <li>{@code /version}: {@code {"etcdserver":...,"etcdcluster":...}}.</li>
 *   <li>{@code /metrics}: Prometheus text format.</li>
 * </ul>
 */
public final class HttpEndpoints {
  private final KvStore store;
  private final MemberStatus status;
  private final Membership membership;
  private final AlarmStore alarms;
  private final ReadIndex readIndex;
  private final long memberId;
  private final ServerMetrics metrics;

  public HttpEndpoints(KvStore store, MemberStatus status, Membership membership, AlarmStore alarms,
      ReadIndex readIndex, long memberId, ServerMetrics metrics) {
    this.store = store;
    this.status = status;
    this.membership = membership;
    this.alarms = alarms;
    this.readIndex = readIndex;
    this.memberId = memberId;
    this.metrics = metrics;
  }

  /** On the parts of member. */
  public static HttpEndpoints of(MemberParts member) {
    return new HttpEndpoints(member.store(), member.status(), member.membership(), member.alarms(), member.bus(),
        member.headers().memberId(), member.metrics());
  }

  public Router router(Vertx vertx) {
    Router r = Router.router(vertx);
    r.get("/health").handler(this::health);
    Map<String, Supplier<Future<Void>>> livez = Map.of("serializable_read", () -> read(true));
    r.get("/livez").handler(rc -> checks(rc, livez));
    r.get("/readyz").handler(rc -> checks(rc, orderedChecks()));
    for (String name : livez.keySet()) {
      r.get("/livez/" + name).handler(rc -> checks(rc, Map.of(name, livez.get(name))));
    }
    for (var e : orderedChecks().entrySet()) {
      r.get("/readyz/" + e.getKey()).handler(rc -> checks(rc, Map.of(e.getKey(), orderedChecks().get(e.getKey()))));
    }
    r.get("/version").handler(rc -> rc.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("etcdserver", MaintenanceServer.VERSION)
            .put("etcdcluster", io.vetch.server.base.ClusterVersion.reported(membership.downgradeTarget()))
            .encode()));
    r.get("/metrics").handler(rc -> rc.vertx().executeBlocking(metrics::scrape, false)
        .onSuccess(text -> rc.response().putHeader("content-type", ServerMetrics.contentType()).end(text))
        .onFailure(rc::fail));
    return r;
  }

  private Map<String, Supplier<Future<Void>>> orderedChecks() {
    Map<String, Supplier<Future<Void>>> checks = new LinkedHashMap<>();
    checks.put("data_corruption", () -> alarms.active(AlarmType.CORRUPT)
        ? Future.failedFuture("alarm activated: CORRUPT") : Future.succeededFuture());
    checks.put("serializable_read", () -> read(true));
    checks.put("linearizable_read", () -> read(false));
    checks.put("non_learner", () -> {
      var self = membership.member(memberId);
      return self != null && self.getIsLearner() ? Future.failedFuture("not supported for learner")
          : Future.succeededFuture();
    });
    return checks;
  }

  private void health(RoutingContext rc) {
    Set<String> excluded = Set.copyOf(rc.queryParam("exclude"));
    boolean serializable = rc.queryParam("serializable").contains("true");
    if (status.storageFailure() != null) {
      healthAnswer(rc, "STORAGE FAILURE: " + status.storageFailure().reason());
      return;
    }
    for (AlarmMember a : alarms.get(AlarmType.NONE)) {
      if (!excluded.contains(a.getAlarm().name())) {
        healthAnswer(rc, "ALARM " + a.getAlarm().name());
        return;
      }
    }
    if (!serializable && status.leader() == 0) {
      healthAnswer(rc, "RAFT NO LEADER");
      return;
    }
    read(serializable).onComplete(ar -> healthAnswer(rc,
        ar.succeeded() ? null : "RANGE ERROR:" + EtcdErrors.describe(ar.cause())));
  }

  /** As etcd's handler: 200 with the JSON, or (http.Error) 503 with the JSON and a newline, both as plain text. */
  private void healthAnswer(RoutingContext rc, String failure) {
    metrics.health(failure == null);
    JsonObject body = new JsonObject().put("health", failure == null ? "true" : "false")
        .put("reason", failure == null ? "" : failure);
    plain(rc).setStatusCode(failure == null ? 200 : 503).end(body.encode() + (failure == null ? "" : "\n"));
  }

  private static io.vertx.core.http.HttpServerResponse plain(RoutingContext rc) {
    return rc.response().putHeader("content-type", "text/plain; charset=utf-8")
        .putHeader("x-content-type-options", "nosniff");
  }

  /**
   * The one-key read etcd's checks make (keys only, limit 1): local when serializable, else after a ReadIndex
   * round. Not a count: that would visit every key on the event loop.
   */
  private Future<Void> read(boolean serializable) {
    Future<Long> ready = serializable ? Future.succeededFuture(0L) : readIndex.await();
    return ready.compose(t -> {
      try {
        RangeResult ignored = store.range(new byte[] {0}, new byte[] {0}, 0, 1, false);
        return Future.<Void>succeededFuture();
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    });
  }

  /**
   * etcd 3.6's /livez and /readyz checks: "ok\n" when all pass (the per-check lines first with ?verbose); 503 with
   * the per-check lines when one fails. ?exclude=NAME leaves a check out.
   */
  private static void checks(RoutingContext rc, Map<String, Supplier<Future<Void>>> checks) {
    Set<String> excluded = Set.copyOf(rc.queryParam("exclude"));
    boolean verbose = rc.request().params().contains("verbose");
    List<String> names = new ArrayList<>();
    List<Future<Void>> results = new ArrayList<>();
    checks.forEach((name, check) -> {
      if (!excluded.contains(name)) {
        names.add(name);
        results.add(check.get());
      }
    });
    Future.join(results).onComplete(ignored -> {
      StringBuilder lines = new StringBuilder();
      boolean failed = false;
      for (int i = 0; i < names.size(); i++) {
        if (results.get(i).failed()) {
          failed = true;
          lines.append("[-]").append(names.get(i)).append(" failed: ")
              .append(EtcdErrors.describe(results.get(i).cause())).append('\n');
        } else {
          lines.append("[+]").append(names.get(i)).append(" ok\n");
        }
      }
      if (failed) {
        plain(rc).setStatusCode(503).end(lines + "\n");
      } else {
        plain(rc).end((verbose ? lines.toString() : "") + "ok\n");
      }
    });
  }
}
