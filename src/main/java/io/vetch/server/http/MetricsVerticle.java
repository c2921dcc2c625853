package io.vetch.server.http;

import io.vetch.server.grpc.MemberParts;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/** Serves {@link HttpEndpoints} (/metrics, /health, /livez, /readyz, /version) on one --listen-metrics-urls URL. */
public final class MetricsVerticle extends VerticleBase {
  private final MemberParts member;
  private final String host;
  private final int port;
  private HttpServer http;

  public MetricsVerticle(MemberParts member, String host, int port) {
    this.member = member;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    http = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port));
    return http.requestHandler(HttpEndpoints.of(member).router(vertx)).listen();
  }

  @Override
  public Future<?> stop() {
    return http == null ? Future.succeededFuture() : http.close();
  }
}
