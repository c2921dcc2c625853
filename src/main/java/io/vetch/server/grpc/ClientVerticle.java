package io.vetch.server.grpc;

import com.google.protobuf.Descriptors.MethodDescriptor;
import io.vetch.api.etcdserverpb.ClusterGrpcService;
import io.vetch.api.etcdserverpb.KVGrpcService;
import io.vetch.api.etcdserverpb.MaintenanceGrpcService;
import io.vetch.server.bus.WatchEvents;
import io.vetch.server.watch.WatchHandler;
import io.vetch.server.watch.WatcherGroup;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.util.List;
import java.util.stream.Stream;

/**
 * Serves etcd's gRPC API on one client URL from an event loop. Deployed with several instances: Vert.x spreads
 * connections on the shared port across their event loops. Beside gRPC: the HTTP endpoints, the JSON gateway,
 * and the in-process endpoint of embedding applications, all over the same service instances.
 */
public final class ClientVerticle extends VerticleBase {
  /** etcd lets a gRPC message exceed --max-request-bytes by this much (its grpcOverheadBytes). */
  public static final int GRPC_OVERHEAD_BYTES = 512 * 1024;

  /** The methods etcd registers its gRPC metrics for when it starts (every one we serve of these services). */
  private static final List<MethodDescriptor> REGISTERED = Stream.concat(Stream.of(
          KVGrpcService.SERVICE_DESCRIPTOR, io.vetch.api.etcdserverpb.WatchGrpcService.SERVICE_DESCRIPTOR,
          io.vetch.api.etcdserverpb.LeaseGrpcService.SERVICE_DESCRIPTOR, ClusterGrpcService.SERVICE_DESCRIPTOR,
          io.vetch.api.etcdserverpb.AuthGrpcService.SERVICE_DESCRIPTOR, MaintenanceGrpcService.SERVICE_DESCRIPTOR)
          .flatMap(s -> s.getMethods().stream()),
      Stream.of(io.vetch.api.healthpb.HealthGrpcService.SERVICE_DESCRIPTOR.findMethodByName("Check"))).toList();
  /** Served too, and counted from their first call (etcd adds them to its server after registering metrics). */
  private static final List<MethodDescriptor> ON_FIRST_CALL = Stream.of(
          io.vetch.api.v3lockpb.LockGrpcService.SERVICE_DESCRIPTOR,
          io.vetch.api.v3electionpb.ElectionGrpcService.SERVICE_DESCRIPTOR)
      .flatMap(s -> s.getMethods().stream()).toList();

  private final MemberParts member;
  private final String host;
  private final int port;
  private final int maxRequestBytes;
  private final long watchProgressIntervalMs;
  private HttpServer http;
  private WatcherGroup watchers;
  private WorkerExecutor watchPool;
  /** The plain HTTP requests' handler (etcd's endpoints, the gateway, the console). */
  private final PlainHttp plainHttp;

  private final io.vetch.transport.Tls tls;

  private final io.vetch.server.config.ServerConfig cfg;

  /** Serves url; tls: its TLS ({@link io.vetch.transport.Tls#NONE} for an http:// URL); cfg: the limits. */
  public ClientVerticle(MemberParts member, java.net.URI url, io.vetch.transport.Tls tls,
      io.vetch.server.config.ServerConfig cfg, PlainHttp plainHttp) {
    this(member, url.getHost(), url.getPort(), tls, cfg, plainHttp);
  }

  private ClientVerticle(MemberParts member, String host, int port, io.vetch.transport.Tls tls,
      io.vetch.server.config.ServerConfig cfg, PlainHttp plainHttp) {
    this.plainHttp = plainHttp;
    this.cfg = cfg;
    int maxRequestBytes = cfg.maxRequestBytes();
    long watchProgressIntervalMs = cfg.watchProgressNotifyIntervalMs();
    this.tls = tls;
    this.watchProgressIntervalMs = watchProgressIntervalMs;
    this.member = member;
    this.host = host;
    this.port = port;
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public Future<?> start() {
    GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions()
        .setMaxMessageSize(maxRequestBytes + GRPC_OVERHEAD_BYTES));
    MemberParts m = member;
    BusClient bus = m.bus();
    KvServer kv = new KvServer(m.store(), m.headers(), m.auth(), bus, bus, m.quota(), m.metrics(), cfg.maxTxnOps());
    grpc.addService(KVGrpcService.of(kv)); // protobuf calls over HTTP/2 are served before it, by KvHandler
    KeyChanges keyChanges = new KeyChanges(() -> m.store().currentRevision(), m.watchInterest());
    Recipes recipes = new Recipes(kv, keyChanges);
    LockServer lock = new LockServer(recipes);
    grpc.addService(io.vetch.api.v3lockpb.LockGrpcService.of(lock));
    ElectionServer election = new ElectionServer(recipes);
    grpc.addService(io.vetch.api.v3electionpb.ElectionGrpcService.of(election));
    MaintenanceServer maintenance = new MaintenanceServer(m.store(), m.status(), m.membership(), m.alarms(),
        m.headers(), m.auth(), bus, bus, bus, bus, m.quota().quotaBytes());
    grpc.addService(MaintenanceGrpcService.of(maintenance));
    ClusterServer cluster = new ClusterServer(m.membership(), m.headers(), m.auth(), bus, bus);
    grpc.addService(ClusterGrpcService.of(cluster));
    AuthServer auth = new AuthServer(m.auth(), bus, cfg.bcryptCost());
    grpc.addService(io.vetch.api.etcdserverpb.AuthGrpcService.of(auth));
    grpc.addService(io.vetch.api.healthpb.HealthGrpcService.builder(new HealthServer(m.status()))
        .bind(io.vetch.api.healthpb.HealthGrpcService.Check).build());
    LeaseServer lease = new LeaseServer(m.lessor(), m.headers(), m.auth(), bus, m.quota(), bus, m.ids());
    grpc.addService(io.vetch.api.etcdserverpb.LeaseGrpcService.of(lease));
    watchPool = vertx.createSharedWorkerExecutor("vetch-watch-sync", 2);
    Headers headers = m.headers();
    watchers = new WatcherGroup(vertx, m.store(), rev -> headers.at(rev, headers.term()), watchPool,
        m.watchInterest(), watchProgressIntervalMs);
    vertx.eventBus().<WatchEvents>localConsumer(bus.watchEventsAddress(), msg -> {
      WatchEvents e = msg.body();
      if (!e.durable()) {
        watchers.prepare(e);
        return;
      }
      watchers.onEvents(e);
      keyChanges.onEvents(e);
    });
    WatchHandler watch = new WatchHandler(watchers, maxRequestBytes + GRPC_OVERHEAD_BYTES, maxRequestBytes,
        m.auth()::watchPermitted, cfg.maxWatchersPerStream());
    // etcd allows 2^32-1 concurrent streams per connection by default (--max-concurrent-streams): clients such as
    // jetcd open a stream per watcher and expect unary calls to go through beside hundreds of them.
    HttpServerOptions options = tls.server(new HttpServerOptions().setHost(host).setPort(port).setTcpNoDelay(true)
        .setInitialSettings(new io.vertx.core.http.Http2Settings().setMaxConcurrentStreams(cfg.maxConcurrentStreams())));
    if (tls.enabled()) {
      options.setUseAlpn(true); // gRPC over TLS negotiates h2 with ALPN
    }
    http = vertx.createHttpServer(options);
    // gRPC and etcd's plain HTTP endpoints share the listener, as on etcd: gRPC requests are told by content type.
    GrpcCallMetrics callMetrics = new GrpcCallMetrics(m.metrics(), REGISTERED, ON_FIRST_CALL,
        new RequireLeaderHandler(() -> m.status().leader(), watch.before(req -> {
          io.vetch.server.wire.GrpcFraming.respecStatusMessage(req.response());
          grpc.handle(req);
        })));
    // The KV calls over HTTP/2 are taken from the connection's frames, beneath the HTTP server (KvStreams).
    KvStreams.Service kvStreams = new KvStreams.Service(kv, maxRequestBytes + GRPC_OVERHEAD_BYTES, callMetrics,
        () -> m.status().leader(), (io.vertx.core.internal.ContextInternal) context);
    Services services = new Services(kv, lease, cluster, maintenance, auth, lock, election, watch);
    Handler<HttpServerRequest> plain = plainHttp.handler(vertx, services);
    InProcessEndpoint.register(vertx.eventBus(), m.headers().memberId(), services); // unregistered when undeployed
    KeepalivePolicy keepalive = new KeepalivePolicy(cfg.grpcKeepaliveMinTimeMs(), cfg.grpcKeepaliveIntervalMs(),
        cfg.grpcKeepaliveTimeoutMs());
    // Per connection (all on this verticle's event loop): what clears its keepalive strikes when a request arrives.
    java.util.Map<io.vertx.core.http.HttpConnection, KeepalivePolicy.State> activity = new java.util.HashMap<>();
    return http.connectionHandler(conn -> {
          AuthorityNormalizer.install(conn);
          io.vetch.transport.FlushCoalescing.http(conn);
          KeepalivePolicy.State state = keepalive.install(vertx, conn);
          activity.put(conn, state);
          kvStreams.install(conn, state.onRequest(),
              tls.enabled() && conn.isSsl() ? () -> commonName(conn) : () -> null);
          conn.closeHandler(v -> {
            KeepalivePolicy.State k = activity.remove(conn);
            if (k != null) {
              k.onClose().run();
            }
          });
        })
        .requestHandler(req -> {
          String type = req.getHeader("content-type");
          KeepalivePolicy.State k = activity.get(req.connection());
          if (k != null) {
            k.onRequest().run();
          }
          if (type != null && type.startsWith("application/grpc")) {
            String token = req.getHeader("token"); // etcd also takes the gateway's name for it
            io.vetch.server.auth.RequestToken.bind(token != null ? token : req.getHeader("authorization"));
            if (tls.enabled() && req.isSSL()) {
              io.vetch.server.auth.RequestToken.bindCommonName(commonName(req.connection()));
            }
            if (req.path().startsWith("/v3lockpb.") || req.path().startsWith("/v3electionpb.")) {
              CallEnd.bind(req); // these calls wait on the client's behalf until it goes away
            }
            callMetrics.handle(req);
          } else {
            if (req.path().contains("/lock/") || req.path().contains("/election/")) {
              CallEnd.bind(req);
            }
            plain.handle(req);
          }
        })
        .listen();
  }

  /** The CN of the client's verified certificate (etcd takes it as the user when there is no token), or null. */
  private static String commonName(io.vertx.core.http.HttpConnection conn) {
    try {
      return io.vetch.transport.Tls.commonName(conn.peerCertificates());
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return null;
    }
  }

  @Override
  public Future<?> stop() {
    if (watchers != null) {
      watchers.close();
      watchPool.close();
    }
    plainHttp.close();
    return http == null ? Future.succeededFuture() : http.close();
  }
}
