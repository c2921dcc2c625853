package io.vetch.server;

import io.vetch.server.membership.Membership;
import io.vetch.server.config.ServerConfig;
import io.vetch.server.base.MemberIds;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.lease.LeaseKeeper;
import io.vetch.server.lease.LeaseProposals;
import io.vetch.server.base.RequestIds;
import io.vetch.server.base.ClusterVersion;
import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.etcdserverpb.RequestHeader;
import io.vetch.api.membershippb.Attributes;
import io.vetch.api.membershippb.ClusterMemberAttrSetRequest;
import io.vetch.raft.RaftConfig;
import io.vetch.raft.RawNode;
import io.vetch.server.apply.Applier;
import io.vetch.server.bus.Addresses;
import io.vetch.server.bus.LocalCodec;
import io.vetch.server.grpc.BusClient;
import io.vetch.server.grpc.CallAuth;
import io.vetch.server.grpc.Headers;
import io.vetch.server.grpc.MemberParts;
import io.vetch.server.grpc.QuotaAlarmer;
import io.vetch.server.auth.TokenProvider;
import io.vetch.server.metrics.ServerMetrics;
import io.vetch.server.v2stats.LeaderStats;
import io.vetch.server.v2stats.ServerStats;
import io.vetch.server.grpc.ClientVerticle;
import io.vetch.transport.ClusterJoin;
import io.vetch.transport.TransportVerticle;
import com.google.protobuf.ByteString;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One vetch member running inside a Vert.x instance: a storage worker verticle (WAL, MVCC store), a raft verticle
 * (consensus core), a peer transport verticle and client verticles (gRPC) on event loops, talking over the event bus. Several members may
 * share one Vert.x instance.
 */
public final class VetchServer {
  private static final System.Logger LOG = System.getLogger(VetchServer.class.getName());

  private final Vertx vertx;
  private final ServerConfig config;
  private final long memberId;
  private final long clusterId;
  private final List<String> deployments;

  private final Future<Void> removed;
  private final MemberStatus status;
  /** Samples the metrics for the web console's charts. */
  private final long metricsTimer;

  /** How often the web console's metric history gets a point. */
  private static final long METRICS_SAMPLE_MS = 5_000;

  private VetchServer(Vertx vertx, ServerConfig config, long memberId, long clusterId, List<String> deployments,
      Future<Void> removed, MemberStatus status, long metricsTimer) {
    this.metricsTimer = metricsTimer;
    this.removed = removed;
    this.status = status;
    this.vertx = vertx;
    this.config = config;
    this.memberId = memberId;
    this.clusterId = clusterId;
    this.deployments = deployments;
  }

  /** Whether config's data directory holds a member's data already (a WAL): starting it is a restart. Blocking. */
  public static boolean hasData(ServerConfig config) {
    try {
      return Bootstrap.hasWal(config);
    } catch (java.io.IOException e) {
      return false; // opening the directory reports it
    }
  }

  /** Opens the data directory and deploys the member's verticles; completes once clients can connect. */
  public static Future<VetchServer> start(Vertx vertx, ServerConfig config) {
    return start(vertx, config, Future.succeededFuture());
  }

  /**
   * As {@link #start(Vertx, ServerConfig)}, but deploys the member (joins Raft, listens for clients) only once
   * {@code before} completes, either way: the data directory is opened meanwhile (bin/vetch's warm-up runs then).
   */
  public static Future<VetchServer> start(Vertx vertx, ServerConfig config, Future<?> before) {
    LocalCodec.registerAll(vertx);
    return vertx.executeBlocking(() -> withAutoTls(config))
        .compose(cfg -> start0(vertx, cfg, before));
  }

  /** With --auto-tls / --peer-auto-tls and no files: the config with the generated keystores (blocking). */
  private static ServerConfig withAutoTls(ServerConfig cfg) throws java.io.IOException {
    var client = cfg.clientTls();
    var peer = cfg.peerTls();
    if (client.selfSigned()) {
      client = client.withKeystore(AutoTls.keystore(cfg.dataDir(), "client", cfg.advertiseClientUrls()).toString(),
          AutoTls.PASSWORD);
    }
    if (peer.selfSigned()) {
      peer = peer.withKeystore(AutoTls.keystore(cfg.dataDir(), "peer", cfg.initialAdvertisePeerUrls()).toString(),
          AutoTls.PASSWORD);
    }
    return client == cfg.clientTls() && peer == cfg.peerTls() ? cfg : cfg.withTls(client, peer);
  }

  private static Future<VetchServer> start0(Vertx vertx, ServerConfig config, Future<?> before) {
    return vertx.executeBlocking(() -> Bootstrap.hasWal(config))
        .compose(hasWal -> hasWal || config.isNewCluster() ? Future.succeededFuture(null) : join(vertx, config))
        .compose(joined -> vertx.executeBlocking(() -> Bootstrap.open(config, joined)))
        .compose(opened -> before.transform(ignored -> deploy(vertx, config, opened)));
  }

  /** A new member of an existing cluster asks the other members of --initial-cluster who they are. */
  private static Future<ClusterJoin.Joined> join(Vertx vertx, ServerConfig cfg) {
    List<String> own = cfg.initialAdvertisePeerUrls().stream().map(URI::toString).toList();
    List<URI> others = new ArrayList<>();
    cfg.initialCluster().forEach((name, urls) -> {
      if (urls.stream().map(URI::toString).noneMatch(own::contains)) {
        others.add(urls.get(0));
      }
    });
    if (others.isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException(
          "--initial-cluster-state existing needs the existing members in --initial-cluster"));
    }
    LOG.log(System.Logger.Level.INFO, "joining the existing cluster through {0}", others);
    return ClusterJoin.ask(vertx, 0, others, 30_000 + 4 * cfg.electionTimeoutMs(), cfg.peerTls());
  }

  private static Future<VetchServer> deploy(Vertx vertx, ServerConfig cfg, Bootstrap.Opened o) {
    Addresses addresses = Addresses.of(o.memberId());
    MemberStatus status = new MemberStatus();
    if (o.newMember() && !o.initialMembers().isEmpty()) {
      RawNode.bootstrap(o.memoryStorage(), bootstrapMembers(cfg));
    }
    RaftConfig raftConfig = new RaftConfig();
    raftConfig.id = o.memberId();
    raftConfig.electionTick = cfg.electionTicks();
    raftConfig.heartbeatTick = 1;
    raftConfig.applied = o.store().consistentIndex();
    RawNode node = new RawNode(raftConfig, o.memoryStorage());
    Membership membership = o.membership();
    TokenProvider tokens = cfg.tokenProvider();
    Applier applier = new Applier(o.store(), o.lessor(), o.alarms(), o.auth(), tokens, membership,
        o.clusterId(), o.memberId(), o.stores().v2());
    RequestIds ids = new RequestIds(o.memberId(), System.currentTimeMillis());
    Attributes own = Attributes.newBuilder().setName(cfg.name())
        .addAllClientUrls(cfg.advertiseClientUrls().stream().map(URI::toString).toList()).build();
    Supplier<byte[]> publish = () -> InternalRaftRequest.newBuilder()
        .setHeader(RequestHeader.newBuilder().setID(ids.next()))
        .setClusterMemberAttrSet(ClusterMemberAttrSetRequest.newBuilder().setMemberID(o.memberId())
            .setMemberAttributes(own))
        .build().toByteArray();
    BooleanSupplier published = () -> {
      Member m = membership.member(o.memberId());
      return m != null && m.getName().equals(own.getName()) && m.getClientURLsList().equals(own.getClientUrlsList());
    };
    List<String> deployed = new ArrayList<>();
    PendingProposals pending = new PendingProposals();
    Promise<Void> removed = Promise.promise();
    ServerMetrics metrics = new ServerMetrics(new ServerMetrics.Sources(o.memberId(), status::leader,
        status::leaderChanges, status::commitIndex, status::appliedIndex, pending::size, pending::failed,
        cfg.effectiveQuotaBackendBytes(), o.store()::dbSizeBytes, o.store()::sizeBytes, o.store()::keyCount,
        () -> ClusterVersion.majorMinor(ClusterVersion.reported(membership.downgradeTarget()))));
    StorageVerticle storage = new StorageVerticle(addresses, o.wal(), o.snapshotter(), o.store(), applier, o.stores(),
        pending, o.memberId(), o.dataDir(), cfg.snapshotCount(), o.snapshotIndex(), metrics);
    long requestTimeoutMs = 5000 + 2 * cfg.electionTimeoutMs();
    CallAuth callAuth = new CallAuth(o.auth(), tokens);
    BusClient bus = new BusClient(vertx.eventBus(), addresses, status, ids, callAuth, o.memberId(),
        cfg.maxRequestBytes(), requestTimeoutMs);
    ServerStats v2Self = new ServerStats(cfg.name(), o.memberId());
    LeaderStats v2Leader = new LeaderStats(o.memberId());
    MemberParts member = new MemberParts(new Headers(o.clusterId(), o.memberId(), o.store(), status), o.store(),
        status, membership, o.lessor(), o.alarms(), metrics, callAuth, bus,
        new QuotaAlarmer(o.store(), o.alarms(), bus, o.memberId(), cfg.effectiveQuotaBackendBytes()), ids,
        o.stores().v2(), v2Self, v2Leader);
    // One client verticle per event loop, up to the cores: Vert.x spreads the connections over them.
    int loops = 0;
    for (var loop : ((io.vertx.core.internal.VertxInternal) vertx).nettyEventLoopGroup()) {
      loops++;
    }
    int instances = Math.max(1, Math.min(loops, Runtime.getRuntime().availableProcessors()));

    // The storage worker gets a thread of its own: each batch then wakes the same thread, warm in cache, instead of
    // whichever thread of the shared worker pool is next.
    Future<String> chain = vertx.deployVerticle(storage, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)
            .setWorkerPoolName("vetch-storage-" + Long.toHexString(o.memberId())).setWorkerPoolSize(1))
        .onSuccess(deployed::add)
        .compose(id -> vertx.deployVerticle(new RaftVerticle(addresses, node, o.memoryStorage(), status,
            cfg.heartbeatIntervalMs(), o.store().consistentIndex(), new AttributesPublisher(publish, published),
            Math.min(5000, cfg.snapshotCount()), pending, new LeaseKeeper(node, o.lessor(), new LeaseProposals(ids)),
            new V2Sync(cfg.heartbeatIntervalMs(), o.stores().v2()::hasTtlKeys, ids, VetchServer::unixNanos), v2Self,
            removed::tryComplete)))
        .onSuccess(deployed::add);
    URI peerUrl = cfg.listenPeerUrls().get(0);
    Map<Long, URI> peers = membership.peers(o.memberId());
    if (membership.members().isEmpty()) {
      // Until the first conf changes are applied: the members named by --initial-cluster.
      cfg.initialCluster().forEach((name, urls) -> {
        long id = MemberIds.memberId(urls, cfg.initialClusterToken());
        if (id != o.memberId()) {
          peers.put(id, urls.get(0));
        }
      });
    }
    peers.keySet().forEach(v2Leader::follower);
    io.vetch.transport.PeerStats peerStats = new io.vetch.transport.PeerStats() {
      @Override
      public void sent(long peer, int bytes) {
        metrics.sent(peer, bytes);
      }

      @Override
      public void received(long peer, int bytes) {
        metrics.received(peer, bytes);
      }

      @Override
      public void roundTrip(long peer, long nanos) {
        metrics.roundTrip(peer, nanos);
        v2Leader.succ(peer, nanos);
      }
    };
    chain = chain.compose(id -> vertx.deployVerticle(new TransportVerticle(addresses.transport(), o.clusterId(),
            o.memberId(), peers, peerUrl.getHost(), peerUrl.getPort(), o.dataDir().incomingDir(),
            membership::toBytes, peerStats, cfg.peerTls())))
        .onSuccess(deployed::add);
    for (URI url : cfg.listenClientUrls()) {
      chain = chain.compose(id -> vertx.deployVerticle(
              () -> new ClientVerticle(member, url,
                  "https".equals(url.getScheme()) ? cfg.clientTls() : io.vetch.transport.Tls.NONE, cfg,
                  new io.vetch.server.http.HttpFrontEnd(member, cfg)),
              new DeploymentOptions().setInstances(instances)))
          .onSuccess(deployed::add);
    }
    if (cfg.autoCompactionRetention() > 0) {
      chain = chain.compose(id -> vertx.deployVerticle(new AutoCompactor(o.store(), status, o.memberId(), bus,
              cfg.autoCompactionMode(), cfg.autoCompactionRetention(), cfg.revisionCompactionIntervalMs())))
          .onSuccess(deployed::add);
    }
    CorruptionChecker checker = new CorruptionChecker(o.store(), status, membership, o.memberId(), bus,
        cfg.corruptCheckTimeMs());
    if (cfg.initialCorruptCheck() || cfg.corruptCheckTimeMs() > 0) {
      chain = chain.compose(id -> vertx.deployVerticle(checker)).onSuccess(deployed::add);
    }
    if (cfg.initialCorruptCheck()) {
      chain = chain.compose(id -> checker.initialCheck().map(id));
    }
    for (URI url : cfg.listenMetricsUrls()) {
      chain = chain.compose(id -> vertx.deployVerticle(
              new io.vetch.server.http.MetricsVerticle(member, url.getHost(), url.getPort())))
          .onSuccess(deployed::add);
    }
    metrics.sample(System.currentTimeMillis());
    long timer = vertx.setPeriodic(METRICS_SAMPLE_MS, t -> metrics.sample(System.currentTimeMillis()));
    VetchServer server = new VetchServer(vertx, cfg, o.memberId(), o.clusterId(), deployed, removed.future(), status,
        timer);
    return chain
        .map(id -> {
          LOG.log(System.Logger.Level.INFO, "member {0} ready to serve client requests on {1}",
              Long.toHexString(o.memberId()), cfg.listenClientUrls());
          return server;
        })
        .recover(err -> server.close().transform(ignored -> Future.failedFuture(err)));
  }

  /** The wall clock in Unix nanoseconds (etcd's time.Now().UnixNano()). */
  private static long unixNanos() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** A new cluster's members, from --initial-cluster, as the contexts of its bootstrap conf changes. */
  private static Map<Long, ByteString> bootstrapMembers(ServerConfig cfg) {
    Map<Long, ByteString> members = new HashMap<>();
    cfg.initialCluster().forEach((name, urls) -> {
      long id = MemberIds.memberId(urls, cfg.initialClusterToken());
      Member.Builder m = Member.newBuilder().setID(id).setName(name);
      urls.forEach(u -> m.addPeerURLs(u.toString()));
      members.put(id, m.build().toByteString());
    });
    return members;
  }

  public long memberId() { return memberId; }

  public long clusterId() { return clusterId; }

  public ServerConfig config() { return config; }

  /** What the raft verticle publishes (tests in this package move it to stage conditions). */
  MemberStatus status() { return status; }

  /** Completes when this member has been removed from the cluster (it then serves nothing; etcd's would exit). */
  public Future<Void> removed() { return removed; }

  /** Undeploys the member's verticles, client side first; the storage worker closes the WAL and store last. */
  public Future<Void> close() {
    vertx.cancelTimer(metricsTimer);
    Future<Void> f = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      f = f.compose(v -> vertx.undeploy(id)).recover(err -> {
        LOG.log(System.Logger.Level.WARNING, "undeploying " + id, err);
        return Future.succeededFuture();
      });
    }
    return f;
  }
}
