package io.vetch.server.http;

import io.vetch.server.config.ServerConfig;
import io.vetch.server.grpc.ClientVerticle;
import io.vetch.server.grpc.MemberParts;
import io.vetch.server.grpc.PlainHttp;
import io.vetch.server.grpc.Services;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.grpc.client.GrpcClient;

/**
 * A client verticle's plain HTTP: etcd's endpoints (health, version, metrics), the JSON gateway, and the web console
 * (with --enable-ui), on one router; etcd's v2 API (with --enable-v2) beside it, routed as Go's mux does.
 */
public final class HttpFrontEnd implements PlainHttp {
  private final MemberParts member;
  private final ServerConfig cfg;
  /** The web console's client for other members' Status (null with --enable-ui=false). */
  private GrpcClient consoleClient;

  public HttpFrontEnd(MemberParts member, ServerConfig cfg) {
    this.member = member;
    this.cfg = cfg;
  }

  @Override
  public Handler<HttpServerRequest> handler(Vertx vertx, Services services) {
    Router plain = HttpEndpoints.of(member).router(vertx);
    new Gateway(services, cfg.maxRequestBytes() + ClientVerticle.GRPC_OVERHEAD_BYTES).mount(plain);
    if (cfg.enableUi()) {
      consoleClient = GrpcClient.client(vertx);
      new Console(member, services.maintenance(), consoleClient).mount(plain);
    }
    long clusterId = member.headers().clusterId();
    V2Api v2 = new V2Api(cfg.enableV2(), new V2Keys(member.v2(), member.bus(), member.status(), clusterId),
        new V2Members(member.membership(), member.status(), services.cluster(), clusterId),
        new V2Stats(member.v2Self(), member.v2Leader(), member.v2()::statsJson, member.status(),
            member.headers().memberId()));
    return req -> {
      if (V2Api.owns(req.path())) {
        v2.handle(req);
      } else {
        plain.handle(req);
      }
    };
  }

  @Override
  public Future<Void> close() {
    return consoleClient == null ? Future.succeededFuture() : consoleClient.close();
  }
}
