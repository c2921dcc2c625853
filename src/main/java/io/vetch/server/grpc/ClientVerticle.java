package io.vetch.server.grpc;

import io.vetch.api.etcdserverpb.ClusterGrpcService;
import io.vetch.api.etcdserverpb.KVGrpcService;
import io.vetch.api.etcdserverpb.MaintenanceGrpcService;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;

/**
 * Serves etcd's gRPC API on one client URL from an event loop. Deployed with several instances: Vert.x spreads
 * connections on the shared port across their event loops. Services not implemented yet are not bound, so the
 * server answers their methods with UNIMPLEMENTED at once.
 */
public final class ClientVerticle extends VerticleBase {
  /** etcd lets a gRPC message exceed --max-request-bytes by this much (its grpcOverheadBytes). */
  private static final int GRPC_OVERHEAD_BYTES = 512 * 1024;

  private final ClientContext ctx;
  private final String host;
  private final int port;
  private final int maxRequestBytes;
  private HttpServer http;

  public ClientVerticle(ClientContext ctx, String host, int port, int maxRequestBytes) {
    this.ctx = ctx;
    this.host = host;
    this.port = port;
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public Future<?> start() {
    GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions()
        .setMaxMessageSize(maxRequestBytes + GRPC_OVERHEAD_BYTES));
    grpc.addService(KVGrpcService.of(new KvService(ctx)));
    grpc.addService(MaintenanceGrpcService.builder(new MaintenanceServer(ctx)).bind(MaintenanceGrpcService.Status,
        MaintenanceGrpcService.HashKV, MaintenanceGrpcService.MoveLeader).build());
    grpc.addService(ClusterGrpcService.of(new ClusterServer(ctx)));
    http = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setTcpNoDelay(true));
    return http.connectionHandler(AuthorityNormalizer::install)
        .requestHandler(new RequireLeaderHandler(() -> ctx.status().leader(), grpc))
        .listen();
  }

  @Override
  public Future<?> stop() {
    return http == null ? Future.succeededFuture() : http.close();
  }
}
