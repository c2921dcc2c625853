package io.vetch.server;

import java.util.concurrent.atomic.AtomicBoolean;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.Context;
import java.nio.file.Path;
import io.vetch.server.membership.Membership;
import io.vetch.server.config.ServerConfig;
import io.vetch.server.base.MemberIds;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.base.StorageFailure;
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
import io.vetch.server.bus.WatchInterest;
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
 *
 * <p>When the member's storage fails (see the README's "When the disk fails"), it serves serializable reads only and
 * a probe writes and fsyncs a small file in the data directory every {@link #PROBE_MS} ms, off the event loop. Once
 * that works and there is the room reopening needs ({@link StorageSpace}), the member restarts itself in this process:
 * its verticles are undeployed (the WAL cut back to its last successful fsync, nothing else written) and the data
 * directory is opened again by {@link Bootstrap}, as at start, on the same ports. If that fails, {@link #fatal()}
 * fails and the member serves nothing (bin/vetch then exits with {@link #EXIT_STORAGE}).
 */
public final class VetchServer {
  private static final System.Logger LOG = System.getLogger(VetchServer.class.getName());
  /** bin/vetch's exit status when a member's storage failed and reopening it failed too (sysexits' EX_IOERR). */
  public static final int EXIT_STORAGE = 74;
  /** How often a member whose storage failed checks whether it works again. */
  static final long PROBE_MS = 2_000;

  private final Vertx vertx;
  private final ServerConfig config;
  private volatile long memberId;
  private volatile long clusterId;
  private final Promise<Void> removed = Promise.promise();
  private final Promise<Void> fatal = Promise.promise();
  /** What one opening of the data directory deployed; replaced when the member reopens after a storage failure. */
  private volatile Incarnation current;
  private volatile boolean closing;
  private final AtomicBoolean recovering = new AtomicBoolean();
  private volatile int reopens;

  /** How often the web console's metric history gets a point. */
  private static final long METRICS_SAMPLE_MS = 5_000;

  /** The verticles of one opening of the data directory, its storage worker, status and metrics timer. */
  private record Incarnation(List<String> deployments, StorageVerticle storage, MemberStatus status,
      long metricsTimer) {}
  /** The reopen under way, if any: close() waits for it, then closes what it opened. */
  private volatile Future<Void> reopening = Future.succeededFuture();

  /**
   * Where the probe and the reopen run: a context of the server's own, since the member's verticles (whose contexts
   * report the failure) are undeployed on the way.
   */
  private final Context context;

  private VetchServer(Vertx vertx, ServerConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.context = ((VertxInternal) vertx).createEventLoopContext();
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
        .compose(cfg -> {
          VetchServer server = new VetchServer(vertx, cfg);
          return server.open(before, false).map(server);
        });
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

  /**
   * Opens the data directory (joining the cluster first if it is new and the cluster exists) and deploys;
   * rewriteStore: see {@link Bootstrap#open}.
   */
  private Future<Void> open(Future<?> before, boolean rewriteStore) {
    ServerConfig cfg = config;
    return vertx.executeBlocking(() -> Bootstrap.hasWal(cfg))
        .compose(hasWal -> hasWal || cfg.isNewCluster() ? Future.succeededFuture(null) : join(vertx, cfg))
        .compose(joined -> vertx.executeBlocking(() -> Bootstrap.open(cfg, joined, rewriteStore)))
        .compose(opened -> before.transform(ignored -> deploy(opened)));
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

  private Future<Void> deploy(Bootstrap.Opened o) {
    ServerConfig cfg = config;
    memberId = o.memberId();
    clusterId = o.clusterId();
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
    PendingProposals pending = new PendingProposals(vertx.eventBus());
    WatchInterest watchInterest = new WatchInterest();
    ServerMetrics metrics = new ServerMetrics(new ServerMetrics.Sources(o.memberId(), status::leader,
        status::leaderChanges, status::commitIndex, status::appliedIndex, pending::size, pending::failed,
        cfg.effectiveQuotaBackendBytes(), o.store()::dbSizeBytes, o.store()::sizeBytes, o.store()::keyCount,
        () -> ClusterVersion.majorMinor(ClusterVersion.reported(membership.downgradeTarget())),
        () -> status.storageFailure() == null ? 0 : 1));
    StorageHandoff handoff = StorageHandoff.configured(pending::size);
    StorageVerticle storage = new StorageVerticle(addresses, o.wal(), o.snapshotter(), o.store(), applier, o.stores(),
        pending, o.memberId(), o.dataDir(), cfg.snapshotCount(), o.snapshotIndex(), metrics, status, watchInterest,
        handoff, this::storageFailed);
    long requestTimeoutMs = 5000 + 2 * cfg.electionTimeoutMs();
    CallAuth callAuth = new CallAuth(o.auth(), tokens);
    BusClient bus = new BusClient(vertx, addresses, status, ids, callAuth, o.memberId(),
        cfg.maxRequestBytes(), requestTimeoutMs);
    ServerStats v2Self = new ServerStats(cfg.name(), o.memberId());
    LeaderStats v2Leader = new LeaderStats(o.memberId());
    MemberParts member = new MemberParts(new Headers(o.clusterId(), o.memberId(), o.store(), status), o.store(),
        status, membership, o.lessor(), o.alarms(), metrics, callAuth, bus,
        new QuotaAlarmer(o.store(), o.alarms(), bus, o.memberId(), cfg.effectiveQuotaBackendBytes()), ids,
        o.stores().v2(), v2Self, v2Leader, watchInterest);
    // One client verticle per event loop, up to the cores: Vert.x spreads the connections over them.
    int loops = 0;
    for (var loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      loops++;
    }
    int instances = Math.max(1, Math.min(loops, Runtime.getRuntime().availableProcessors()));

    RaftVerticle raft = new RaftVerticle(addresses, node, o.memoryStorage(), status, cfg.heartbeatIntervalMs(),
        o.store().consistentIndex(), new AttributesPublisher(publish, published), Math.min(5000, cfg.snapshotCount()),
        pending, new LeaseKeeper(node, o.lessor(), new LeaseProposals(ids)),
        new V2Sync(cfg.heartbeatIntervalMs(), o.stores().v2()::hasTtlKeys, ids, VetchServer::unixNanos), v2Self,
        handoff, removed::tryComplete);
    // The storage worker gets a thread of its own: each batch then wakes the same thread, warm in cache, instead of
    // whichever thread of the shared worker pool is next.
    Future<String> chain = vertx.deployVerticle(storage, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)
            .setWorkerPoolName("vetch-storage-" + Long.toHexString(o.memberId())).setWorkerPoolSize(1))
        .onSuccess(deployed::add)
        .compose(id -> vertx.deployVerticle(raft))
        .onSuccess(id -> bus.raftLoop(raft.eventLoop()))
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
    Incarnation incarnation = new Incarnation(deployed, storage, status, timer);
    current = incarnation;
    return chain
        .<Void>map(id -> {
          LOG.log(System.Logger.Level.INFO, "member {0} ready to serve client requests on {1}",
              Long.toHexString(o.memberId()), cfg.listenClientUrls());
          return null;
        })
        .recover(err -> undeploy(incarnation).transform(ignored -> Future.failedFuture(err)));
  }

  /** Called by the storage worker once its storage failed: probes until it works again, then reopens. */
  private void storageFailed() {
    if (!recovering.compareAndSet(false, true)) {
      return;
    }
    Path dataDir = config.dataDir();
    context.runOnContext(v -> vertx.setTimer(PROBE_MS, t -> probe(dataDir)));
  }

  private void probe(Path dataDir) {
    if (closing) {
      return;
    }
    vertx.executeBlocking(() -> StorageSpace.probe(dataDir), false).onComplete(ar -> {
      if (closing) {
        return;
      }
      if (ar.succeeded() && ar.result() == null) {
        cutBackThenReopen(dataDir);
      } else {
        LOG.log(System.Logger.Level.DEBUG, "storage probe: {0}", ar.succeeded() ? ar.result() : ar.cause());
        vertx.setTimer(PROBE_MS, t -> probe(dataDir));
      }
    });
  }

  /**
   * The probe passed: the WAL is cut back to its last successful fsync first (on the storage worker); only once that
   * worked is the data directory opened again, else bytes whose fsync failed could be read back from the page cache
   * as if durable. A cut-back that fails is tried again at the next probe.
   */
  private void cutBackThenReopen(Path dataDir) {
    current.storage().cutBack().onComplete(ar -> context.runOnContext(v -> {
      if (closing) {
        return;
      }
      if (ar.succeeded()) {
        reopen();
      } else {
        LOG.log(System.Logger.Level.WARNING, "storage of member {0} passed the probe, but cutting its WAL back to the "
            + "last successful fsync failed ({1}); trying again", Long.toHexString(memberId), ar.cause().getMessage());
        vertx.setTimer(PROBE_MS, t -> probe(dataDir));
      }
    }));
  }

  /** The storage works again: undeploy this incarnation (abandoning WAL and store) and open the data directory anew. */
  private void reopen() {
    StorageFailure failure = current.status().storageFailure();
    LOG.log(System.Logger.Level.WARNING, "storage of member {0} works again after {1}; reopening the member from its "
        + "data directory", Long.toHexString(memberId), failure == null ? "a failure" : failure.logLine());
    reopening = undeploy(current)
        .compose(v -> closing ? Future.succeededFuture()
            : open(Future.succeededFuture(), failure != null && failure.operation().equals("store fsync")))
        .onSuccess(v -> {
          reopens++;
          recovering.set(false);
          LOG.log(System.Logger.Level.WARNING, "member {0} reopened after its storage failure",
              Long.toHexString(memberId));
        })
        .onFailure(err -> {
          LOG.log(System.Logger.Level.ERROR, "member " + Long.toHexString(memberId) + " could not be reopened after "
              + "its storage failure; it serves nothing: " + err.getMessage(), err);
          fatal.tryFail(err);
        })
        .otherwiseEmpty();
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
  MemberStatus status() { return current.status(); }

  /** Why this member's storage failed, while it has not been reopened; else null. */
  public StorageFailure storageFailure() {
    Incarnation i = current;
    return i == null ? null : i.status().storageFailure();
  }

  /** Whether a reopen after a storage failure is under way (tests in this package). */
  boolean reopening() { return !reopening.isComplete(); }

  /** How many times the member reopened itself after a storage failure. */
  public int reopens() { return reopens; }

  /** Completes when this member has been removed from the cluster (it then serves nothing; etcd's would exit). */
  public Future<Void> removed() { return removed.future(); }

  /**
   * Fails when the member's storage failed and reopening its data directory then failed too: the member serves
   * nothing any more (bin/vetch exits with {@link #EXIT_STORAGE}). Never completes otherwise.
   */
  public Future<Void> fatal() { return fatal.future(); }

  /**
   * Undeploys the member's verticles, client side first; the storage worker closes the WAL and store last. A reopen
   * under way finishes first, and what it opened is closed.
   */
  public Future<Void> close() {
    closing = true;
    return reopening.compose(v -> {
      Incarnation i = current;
      return i == null ? Future.succeededFuture() : undeploy(i);
    });
  }

  private Future<Void> undeploy(Incarnation i) {
    vertx.cancelTimer(i.metricsTimer());
    List<String> deployments = i.deployments();
    Future<Void> f = Future.succeededFuture();
    for (int k = deployments.size() - 1; k >= 0; k--) {
      String id = deployments.get(k);
      f = f.compose(v -> vertx.undeploy(id)).recover(err -> {
        LOG.log(System.Logger.Level.WARNING, "undeploying " + id, err);
        return Future.succeededFuture();
      });
    }
    return f.onComplete(ar -> deployments.clear());
  }
}
