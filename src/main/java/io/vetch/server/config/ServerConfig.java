package io.vetch.server.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The configuration of one vetch member, named and defaulted as etcd's flags are
 * (flag {@code --heartbeat-interval} is {@link #heartbeatIntervalMs()}, and so on).
 *
 * <p>Immutable and therefore safe to share between threads. Instances come only from
 * {@link Builder#build()}, which fills derived defaults ({@code data-dir} is
 * {@code <name>.vetch}, {@code initial-cluster} is {@code <name>=<initial-advertise-peer-urls>})
 * and validates the whole as etcd does, throwing {@link IllegalArgumentException} with etcd's
 * message. Lists and the initial-cluster map are unmodifiable; the map keeps flag order.
 *
 * <p>Unlike etcd, the default listen/advertise URLs use 127.0.0.1 rather than localhost.
 */
public final class ServerConfig {
  public static final String DEFAULT_NAME = "default";
  public static final URI DEFAULT_CLIENT_URL = URI.create("http://127.0.0.1:2379");
  public static final URI DEFAULT_PEER_URL = URI.create("http://127.0.0.1:2380");
  public static final String DEFAULT_CLUSTER_TOKEN = "etcd-cluster";
  public static final long DEFAULT_SNAPSHOT_COUNT = 100_000;
  public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 100;
  public static final long DEFAULT_ELECTION_TIMEOUT_MS = 1000;
  /** etcd's upper bound for --election-timeout. */
  public static final long MAX_ELECTION_TIMEOUT_MS = 50_000;
  public static final int DEFAULT_MAX_REQUEST_BYTES = 1_572_864;
  public static final int DEFAULT_MAX_TXN_OPS = 128;
  /** etcd 3.4+ default backend quota: 2 GiB; a configured 0 means this. */
  public static final long DEFAULT_QUOTA_BACKEND_BYTES = 2L * 1024 * 1024 * 1024;
  public static final List<String> LOG_LEVELS =
      List.of("debug", "info", "warn", "error", "dpanic", "panic", "fatal");

  private final String name;
  private final Path dataDir;
  private final List<URI> listenClientUrls;
  private final List<URI> advertiseClientUrls;
  private final List<URI> listenPeerUrls;
  private final List<URI> initialAdvertisePeerUrls;
  private final Map<String, List<URI>> initialCluster;
  private final String initialClusterState;
  private final String initialClusterToken;
  private final long snapshotCount;
  private final long heartbeatIntervalMs;
  private final long electionTimeoutMs;
  private final int maxRequestBytes;
  private final int maxTxnOps;
  private final long quotaBackendBytes;
  private final long watchProgressNotifyIntervalMs;
  private final String logLevel;
  private final List<URI> listenMetricsUrls;
  private final String autoCompactionMode;
  private final String autoCompactionRetention;
  private final boolean initialCorruptCheck;
  private final boolean warmup;
  private final boolean enableUi;
  private final long corruptCheckTimeMs;
  private final long revisionCompactionIntervalMs;
  private final String authToken;
  private final long authTokenTtlSeconds;
  private final int bcryptCost;
  private final io.vetch.transport.Tls clientTls;
  private final io.vetch.transport.Tls peerTls;
  private final TlsFlags[] tlsFlags;
  private final String tlsMinVersion;
  private final List<String> cipherSuites;
  private final long maxConcurrentStreams;
  private final long grpcKeepaliveMinTimeMs;
  private final long grpcKeepaliveIntervalMs;
  private final long grpcKeepaliveTimeoutMs;
  private final int maxWatchersPerStream;

  private ServerConfig(Builder b) {
    name = b.name;
    dataDir = b.dataDir != null ? b.dataDir : Path.of(b.name + ".vetch");
    listenClientUrls = List.copyOf(b.listenClientUrls);
    advertiseClientUrls = List.copyOf(b.advertiseClientUrls);
    listenPeerUrls = List.copyOf(b.listenPeerUrls);
    initialAdvertisePeerUrls = List.copyOf(b.initialAdvertisePeerUrls);
    Map<String, List<URI>> cluster = new LinkedHashMap<>();
    if (b.initialCluster == null) {
      cluster.put(b.name, initialAdvertisePeerUrls);
    } else {
      b.initialCluster.forEach((k, v) -> cluster.put(k, List.copyOf(v)));
    }
    initialCluster = Collections.unmodifiableMap(cluster);
    initialClusterState = b.initialClusterState;
    initialClusterToken = b.initialClusterToken;
    snapshotCount = b.snapshotCount;
    heartbeatIntervalMs = b.heartbeatIntervalMs;
    electionTimeoutMs = b.electionTimeoutMs;
    maxRequestBytes = b.maxRequestBytes;
    maxTxnOps = b.maxTxnOps;
    quotaBackendBytes = b.quotaBackendBytes;
    watchProgressNotifyIntervalMs = b.watchProgressNotifyIntervalMs;
    logLevel = b.logLevel;
    listenMetricsUrls = List.copyOf(b.listenMetricsUrls);
    autoCompactionMode = b.autoCompactionMode;
    autoCompactionRetention = b.autoCompactionRetention;
    initialCorruptCheck = b.initialCorruptCheck;
    warmup = b.warmup;
    enableUi = b.enableUi;
    corruptCheckTimeMs = b.corruptCheckTimeMs;
    revisionCompactionIntervalMs = b.revisionCompactionIntervalMs;
    authToken = b.authToken;
    authTokenTtlSeconds = b.authTokenTtlSeconds;
    bcryptCost = b.bcryptCost;
    clientTls = b.clientTls();
    peerTls = b.peerTls();
    tlsFlags = b.tls;
    tlsMinVersion = b.tlsMinVersion;
    cipherSuites = b.cipherSuites;
    maxConcurrentStreams = b.maxConcurrentStreams;
    grpcKeepaliveMinTimeMs = b.grpcKeepaliveMinTimeMs;
    grpcKeepaliveIntervalMs = b.grpcKeepaliveIntervalMs;
    grpcKeepaliveTimeoutMs = b.grpcKeepaliveTimeoutMs;
    maxWatchersPerStream = b.maxWatchersPerStream;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values, for deriving a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.dataDir = dataDir;
    b.listenClientUrls = listenClientUrls;
    b.advertiseClientUrls = advertiseClientUrls;
    b.listenPeerUrls = listenPeerUrls;
    b.initialAdvertisePeerUrls = initialAdvertisePeerUrls;
    b.initialCluster = initialCluster;
    b.initialClusterState = initialClusterState;
    b.initialClusterToken = initialClusterToken;
    b.snapshotCount = snapshotCount;
    b.heartbeatIntervalMs = heartbeatIntervalMs;
    b.electionTimeoutMs = electionTimeoutMs;
    b.maxRequestBytes = maxRequestBytes;
    b.maxTxnOps = maxTxnOps;
    b.quotaBackendBytes = quotaBackendBytes;
    b.watchProgressNotifyIntervalMs = watchProgressNotifyIntervalMs;
    b.logLevel = logLevel;
    b.listenMetricsUrls = listenMetricsUrls;
    b.autoCompactionMode = autoCompactionMode;
    b.autoCompactionRetention = autoCompactionRetention;
    b.initialCorruptCheck = initialCorruptCheck;
    b.warmup = warmup;
    b.enableUi = enableUi;
    b.corruptCheckTimeMs = corruptCheckTimeMs;
    b.revisionCompactionIntervalMs = revisionCompactionIntervalMs;
    b.authToken = authToken;
    b.authTokenTtlSeconds = authTokenTtlSeconds;
    b.bcryptCost = bcryptCost;
    b.tls = tlsFlags;
    b.tlsMinVersion = tlsMinVersion;
    b.cipherSuites = cipherSuites;
    b.maxConcurrentStreams = maxConcurrentStreams;
    b.grpcKeepaliveMinTimeMs = grpcKeepaliveMinTimeMs;
    b.grpcKeepaliveIntervalMs = grpcKeepaliveIntervalMs;
    b.grpcKeepaliveTimeoutMs = grpcKeepaliveTimeoutMs;
    b.maxWatchersPerStream = maxWatchersPerStream;
    b.listenClientUrlsSet = true;
    b.advertiseClientUrlsSet = true;
    return b;
  }

  public String name() { return name; }
  public Path dataDir() { return dataDir; }
  public List<URI> listenClientUrls() { return listenClientUrls; }
  public List<URI> advertiseClientUrls() { return advertiseClientUrls; }
  public List<URI> listenPeerUrls() { return listenPeerUrls; }
  public List<URI> initialAdvertisePeerUrls() { return initialAdvertisePeerUrls; }
  /** Member name to its peer URLs, in the order given; always contains {@link #name()}. */
  public Map<String, List<URI>> initialCluster() { return initialCluster; }
  /** "new" or "existing". */
  public String initialClusterState() { return initialClusterState; }
  public boolean isNewCluster() { return "new".equals(initialClusterState); }
  public String initialClusterToken() { return initialClusterToken; }
  public long snapshotCount() { return snapshotCount; }
  public long heartbeatIntervalMs() { return heartbeatIntervalMs; }
  public long electionTimeoutMs() { return electionTimeoutMs; }
  /** Raft election timeout in heartbeat ticks, as etcd's ElectionTicks(). */
  public int electionTicks() { return (int) (electionTimeoutMs / heartbeatIntervalMs); }
  public int maxRequestBytes() { return maxRequestBytes; }
  public int maxTxnOps() { return maxTxnOps; }
  /** The backend quota as configured: 0 means the default, negative disables the quota. */
  public long quotaBackendBytes() { return quotaBackendBytes; }
  /**
   * --watch-progress-notify-interval (etcd 3.5: --experimental-watch-progress-notify-interval): how often watchers
   * that asked for progress_notify get one when idle (etcd: 10 minutes).
   */
  public long watchProgressNotifyIntervalMs() { return watchProgressNotifyIntervalMs; }
  /** The quota in force: the default for 0, {@link Long#MAX_VALUE} when disabled. */
  public long effectiveQuotaBackendBytes() {
    if (quotaBackendBytes == 0) return DEFAULT_QUOTA_BACKEND_BYTES;
    return quotaBackendBytes < 0 ? Long.MAX_VALUE : quotaBackendBytes;
  }
  /** One of {@link #LOG_LEVELS}. */
  public String logLevel() { return logLevel; }
  public List<URI> listenMetricsUrls() { return listenMetricsUrls; }
  /** "periodic" or "revision". */
  public String autoCompactionMode() { return autoCompactionMode; }
  /**
   * Auto-compaction retention: with periodic mode a duration in ms (a plain number is hours, as etcd), with revision
   * mode a number of revisions; 0 when auto-compaction is off.
   */
  public long autoCompactionRetention() {
    String r = autoCompactionRetention.trim();
    if (autoCompactionMode.equals("revision")) {
      return Long.parseLong(r);
    }
    return r.matches("\\d+") ? Long.parseLong(r) * 3_600_000 : durationMs(r);
  }
  /**
   * --feature-gates=InitialCorruptCheck=true (etcd 3.5: --experimental-initial-corrupt-check): compare HashKV with
   * the peers before serving.
   */
  public boolean initialCorruptCheck() { return initialCorruptCheck; }
  /** --warmup: bin/vetch warms the JVM up on a throwaway member before serving (embedding applications do not). */
  public boolean warmup() { return warmup; }

  /** --enable-ui: the web console at /ui/ on the client URLs (vetch only). */
  public boolean enableUi() { return enableUi; }
  /** --corrupt-check-time (etcd 3.5: --experimental-corrupt-check-time) in ms; 0 disables the periodic check. */
  public long corruptCheckTimeMs() { return corruptCheckTimeMs; }

  /** How often the revision auto-compactor runs: etcd's fixed 5 minutes; no flag, embedders and tests may change it. */
  public long revisionCompactionIntervalMs() { return revisionCompactionIntervalMs; }

  /** --auth-token: "simple", or "jwt,pub-key=...,priv-key=...,sign-method=...,ttl=..." as etcd. */
  public String authToken() { return authToken; }

  /** The token provider --auth-token asks for. */
  public io.vetch.server.auth.TokenProvider tokenProvider() {
    return authToken.startsWith("jwt,")
        ? io.vetch.server.auth.JwtTokens.parse(authToken.substring(4), ServerConfig::durationMs)
        : new io.vetch.server.auth.SimpleTokens(authTokenTtlSeconds, System::nanoTime);
  }
  /** --auth-token-ttl: how long a simple token lives unused, in seconds. */
  public long authTokenTtlSeconds() { return authTokenTtlSeconds; }
  /** --bcrypt-cost for password hashes. */
  public int bcryptCost() { return bcryptCost; }
  /** --max-concurrent-streams: HTTP/2 streams a client connection may have open at once. */
  public long maxConcurrentStreams() { return maxConcurrentStreams; }
  /** --grpc-keepalive-min-time: the shortest interval between a client's pings before they count as abuse. */
  public long grpcKeepaliveMinTimeMs() { return grpcKeepaliveMinTimeMs; }
  /** --grpc-keepalive-interval: how often the server pings a connection (0: never). */
  public long grpcKeepaliveIntervalMs() { return grpcKeepaliveIntervalMs; }
  /** --grpc-keepalive-timeout: how long a server ping may go unanswered before the connection is closed. */
  public long grpcKeepaliveTimeoutMs() { return grpcKeepaliveTimeoutMs; }
  /** --experimental-max-watchers-per-stream: watchers one Watch stream may hold (vetch's bound; etcd has none). */
  public int maxWatchersPerStream() { return maxWatchersPerStream; }

  /** This config with the given TLS settings (auto-TLS with its generated certificates). */
  public ServerConfig withTls(io.vetch.transport.Tls client, io.vetch.transport.Tls peer) {
    Builder b = toBuilder();
    b.clientTlsOverride = client;
    b.peerTlsOverride = peer;
    return b.build();
  }

  /** TLS for the https:// client URLs (etcd's client transport security). */
  public io.vetch.transport.Tls clientTls() { return clientTls; }
  /** TLS for the peer URLs, when they are https:// (etcd's peer transport security). */
  public io.vetch.transport.Tls peerTls() { return peerTls; }


  /** A Go duration ("10m", "1m30s", "500ms", "2h"), in milliseconds. */
  public static long durationMs(String v) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)").matcher(v);
    double total = 0;
    int pos = 0;
    while (m.find() && m.start() == pos) {
      double n = Double.parseDouble(m.group(1));
      total += n * switch (m.group(2)) {
        case "ms" -> 1;
        case "s" -> 1000;
        case "m" -> 60_000;
        default -> 3_600_000;
      };
      pos = m.end();
    }
    if (v.equals("0")) {
      return 0;
    }
    if (pos == 0 || pos != v.length()) {
      throw new IllegalArgumentException("invalid duration \"" + v + "\"");
    }
    return (long) total;
  }

  @Override
  public String toString() {
    return "ServerConfig{name=" + name + ", dataDir=" + dataDir + ", listenClientUrls=" + listenClientUrls
        + ", advertiseClientUrls=" + advertiseClientUrls + ", listenPeerUrls=" + listenPeerUrls
        + ", initialAdvertisePeerUrls=" + initialAdvertisePeerUrls + ", initialCluster=" + initialCluster
        + ", initialClusterState=" + initialClusterState + ", initialClusterToken=" + initialClusterToken
        + ", snapshotCount=" + snapshotCount + ", heartbeatIntervalMs=" + heartbeatIntervalMs
        + ", electionTimeoutMs=" + electionTimeoutMs + ", maxRequestBytes=" + maxRequestBytes
        + ", maxTxnOps=" + maxTxnOps + ", quotaBackendBytes=" + quotaBackendBytes + ", logLevel=" + logLevel
        + ", listenMetricsUrls=" + listenMetricsUrls + ", autoCompactionMode=" + autoCompactionMode
        + ", autoCompactionRetention=" + autoCompactionRetention + ", initialCorruptCheck=" + initialCorruptCheck
        + ", warmup=" + warmup + ", enableUi=" + enableUi + ", corruptCheckTimeMs=" + corruptCheckTimeMs
        + ", authToken=" + authToken
        + ", authTokenTtlSeconds=" + authTokenTtlSeconds + ", bcryptCost=" + bcryptCost + ", clientTls=" + clientTls
        + ", peerTls=" + peerTls
        + "}";
  }

  /** Collects values; not thread-safe. Unset values keep etcd's defaults. */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private Path dataDir;
    private List<URI> listenClientUrls = List.of(DEFAULT_CLIENT_URL);
    private List<URI> advertiseClientUrls = List.of(DEFAULT_CLIENT_URL);
    private List<URI> listenPeerUrls = List.of(DEFAULT_PEER_URL);
    private List<URI> initialAdvertisePeerUrls = List.of(DEFAULT_PEER_URL);
    private Map<String, List<URI>> initialCluster;
    private String initialClusterState = "new";
    private String initialClusterToken = DEFAULT_CLUSTER_TOKEN;
    private long snapshotCount = DEFAULT_SNAPSHOT_COUNT;
    private long heartbeatIntervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS;
    private long electionTimeoutMs = DEFAULT_ELECTION_TIMEOUT_MS;
    private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    private int maxTxnOps = DEFAULT_MAX_TXN_OPS;
    private long quotaBackendBytes;
    private long watchProgressNotifyIntervalMs = 10 * 60_000;
    private String logLevel = "info";
    private List<URI> listenMetricsUrls = List.of();
    private String autoCompactionMode = "periodic";
    private String autoCompactionRetention = "0";
    private boolean initialCorruptCheck;
    private boolean warmup = true;
    private boolean enableUi = true;
    private long corruptCheckTimeMs;
    private long revisionCompactionIntervalMs = 5 * 60_000;
    private String authToken = "simple";
    private long authTokenTtlSeconds = 300;
    private int bcryptCost = 10;
    /** The TLS flags as given: [0] client, [1] peer. */
    private TlsFlags[] tls = {new TlsFlags(), new TlsFlags()};
    private String tlsMinVersion = "TLS1.2";
    private List<String> cipherSuites = List.of();
    private long maxConcurrentStreams = 0xFFFFFFFFL;
    private long grpcKeepaliveMinTimeMs = 5000;
    private long grpcKeepaliveIntervalMs = 2 * 3_600_000;
    private long grpcKeepaliveTimeoutMs = 20_000;
    private int maxWatchersPerStream = 100_000;
    private boolean listenClientUrlsSet;
    private boolean advertiseClientUrlsSet;

    private Builder() {}

    public Builder name(String v) { name = Objects.requireNonNull(v); return this; }
    public Builder dataDir(Path v) { dataDir = v; return this; }
    public Builder listenClientUrls(List<URI> v) { listenClientUrls = v; listenClientUrlsSet = true; return this; }
    public Builder advertiseClientUrls(List<URI> v) { advertiseClientUrls = v; advertiseClientUrlsSet = true; return this; }
    public Builder listenPeerUrls(List<URI> v) { listenPeerUrls = v; return this; }
    public Builder initialAdvertisePeerUrls(List<URI> v) { initialAdvertisePeerUrls = v; return this; }
    /** Null restores the default {@code <name>=<initial-advertise-peer-urls>}. */
    public Builder initialCluster(Map<String, List<URI>> v) { initialCluster = v; return this; }
    public Builder initialClusterState(String v) { initialClusterState = v; return this; }
    public Builder initialClusterToken(String v) { initialClusterToken = v; return this; }
    public Builder snapshotCount(long v) { snapshotCount = v; return this; }
    public Builder heartbeatIntervalMs(long v) { heartbeatIntervalMs = v; return this; }
    public Builder electionTimeoutMs(long v) { electionTimeoutMs = v; return this; }
    public Builder maxRequestBytes(int v) { maxRequestBytes = v; return this; }
    public Builder maxTxnOps(int v) { maxTxnOps = v; return this; }
    public Builder quotaBackendBytes(long v) { quotaBackendBytes = v; return this; }
    public Builder watchProgressNotifyIntervalMs(long v) { watchProgressNotifyIntervalMs = v; return this; }
    public Builder logLevel(String v) { logLevel = v; return this; }
    public Builder listenMetricsUrls(List<URI> v) { listenMetricsUrls = v; return this; }
    public Builder autoCompactionMode(String v) { autoCompactionMode = v; return this; }
    public Builder autoCompactionRetention(String v) { autoCompactionRetention = v; return this; }
    public Builder initialCorruptCheck(boolean v) { initialCorruptCheck = v; return this; }
    public Builder warmup(boolean v) { warmup = v; return this; }
    public Builder enableUi(boolean v) { enableUi = v; return this; }
    public Builder corruptCheckTimeMs(long v) { corruptCheckTimeMs = v; return this; }
    public Builder revisionCompactionIntervalMs(long v) { revisionCompactionIntervalMs = v; return this; }
    public Builder authToken(String v) { authToken = v; return this; }
    public Builder authTokenTtlSeconds(long v) { authTokenTtlSeconds = v; return this; }
    public Builder bcryptCost(int v) { bcryptCost = v; return this; }
    /** side 0: client (--cert-file ...), 1: peer (--peer-cert-file ...). */
    public TlsFlags tls(int side) { return tls[side]; }
    public Builder tlsMinVersion(String v) { tlsMinVersion = v; return this; }
    public Builder cipherSuites(List<String> v) { cipherSuites = List.copyOf(v); return this; }
    public Builder maxConcurrentStreams(long v) { maxConcurrentStreams = v; return this; }
    public Builder grpcKeepaliveMinTimeMs(long v) { grpcKeepaliveMinTimeMs = v; return this; }
    public Builder grpcKeepaliveIntervalMs(long v) { grpcKeepaliveIntervalMs = v; return this; }
    public Builder grpcKeepaliveTimeoutMs(long v) { grpcKeepaliveTimeoutMs = v; return this; }
    public Builder maxWatchersPerStream(int v) { maxWatchersPerStream = v; return this; }

    private io.vetch.transport.Tls clientTlsOverride;
    private io.vetch.transport.Tls peerTlsOverride;

    private io.vetch.transport.Tls clientTls() {
      if (clientTlsOverride != null) {
        return clientTlsOverride;
      }
      return tls[0].build(anyHttps(listenClientUrls) || anyHttps(advertiseClientUrls), "client", "--cert-file, --key-file",
          tlsMinVersion, cipherSuites);
    }

    private io.vetch.transport.Tls peerTls() {
      if (peerTlsOverride != null) {
        return peerTlsOverride;
      }
      return tls[1].build(anyHttps(listenPeerUrls) || anyHttps(initialAdvertisePeerUrls), "peer",
          "--peer-cert-file, --peer-key-file", tlsMinVersion, cipherSuites);
    }

    private static boolean anyHttps(List<URI> urls) {
      return urls.stream().anyMatch(u -> "https".equals(u.getScheme()));
    }

    /** Validates as etcd's embed.Config.Validate and bootstrap checks do. */
    public ServerConfig build() {
      if (name.isEmpty()) throw new IllegalArgumentException("--name must not be empty");
      if (listenClientUrlsSet && !advertiseClientUrlsSet) {
        throw new IllegalArgumentException(
            "--advertise-client-urls is required when --listen-client-urls is set explicitly");
      }
      Urls.checkBind(listenClientUrls);
      Urls.checkBind(listenPeerUrls);
      Urls.checkBind(listenMetricsUrls);
      Urls.check(advertiseClientUrls);
      Urls.check(initialAdvertisePeerUrls);
      requireNonEmpty(listenClientUrls, "--listen-client-urls");
      requireNonEmpty(advertiseClientUrls, "--advertise-client-urls");
      requireNonEmpty(listenPeerUrls, "--listen-peer-urls");
      requireNonEmpty(initialAdvertisePeerUrls, "--initial-advertise-peer-urls");
      if (!initialClusterState.equals("new") && !initialClusterState.equals("existing")) {
        throw new IllegalArgumentException(
            "unexpected clusterState \"" + initialClusterState + "\" (valid values are \"new\" or \"existing\")");
      }
      if (heartbeatIntervalMs <= 0) {
        throw new IllegalArgumentException("--heartbeat-interval must be >0 (set to " + heartbeatIntervalMs + "ms)");
      }
      if (watchProgressNotifyIntervalMs <= 0) {
        throw new IllegalArgumentException("--watch-progress-notify-interval must be >0");
      }
      if (electionTimeoutMs <= 0) {
        throw new IllegalArgumentException("--election-timeout must be >0 (set to " + electionTimeoutMs + "ms)");
      }
      if (5 * heartbeatIntervalMs > electionTimeoutMs) {
        throw new IllegalArgumentException("--election-timeout[" + electionTimeoutMs
            + "ms] should be at least as 5 times as --heartbeat-interval[" + heartbeatIntervalMs + "ms]");
      }
      if (electionTimeoutMs > MAX_ELECTION_TIMEOUT_MS) {
        throw new IllegalArgumentException("--election-timeout[" + electionTimeoutMs
            + "ms] is too long, and should be set less than " + MAX_ELECTION_TIMEOUT_MS + "ms");
      }
      requirePositive(snapshotCount, "--snapshot-count");
      requirePositive(maxRequestBytes, "--max-request-bytes");
      requirePositive(maxTxnOps, "--max-txn-ops");
      if (!LOG_LEVELS.contains(logLevel)) {
        throw new IllegalArgumentException("unknown --log-level \"" + logLevel + "\" (valid values are "
            + String.join(", ", LOG_LEVELS) + ")");
      }
      if (!tlsMinVersion.equals("TLS1.2") && !tlsMinVersion.equals("TLS1.3")) {
        throw new IllegalArgumentException("unexpected TLS version \"" + tlsMinVersion + "\" (TLS1.2 or TLS1.3)");
      }
      if (!authToken.equals("simple") && !authToken.startsWith("jwt,")) {
        throw new IllegalArgumentException("unknown --auth-token type \"" + authToken.split(",")[0]
            + "\" (simple or jwt,...)");
      }
      if (authToken.startsWith("jwt,")) {
        io.vetch.server.auth.JwtTokens.parse(authToken.substring(4), ServerConfig::durationMs); // validates
      }
      if (bcryptCost < 4 || bcryptCost > 31) {
        throw new IllegalArgumentException("--bcrypt-cost must be between 4 and 31 (set to " + bcryptCost + ")");
      }
      requirePositive(authTokenTtlSeconds, "--auth-token-ttl");
      if (maxConcurrentStreams < 1 || maxConcurrentStreams > 0xFFFFFFFFL) {
        throw new IllegalArgumentException("--max-concurrent-streams must be between 1 and 4294967295");
      }
      requirePositive(maxWatchersPerStream, "--experimental-max-watchers-per-stream");
      ServerConfig cfg = new ServerConfig(this);
      try {
        if (cfg.autoCompactionRetention() < 0) {
          throw new IllegalArgumentException("negative");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid --auto-compaction-retention \"" + autoCompactionRetention
            + "\" for --auto-compaction-mode " + autoCompactionMode);
      }
      checkInitialCluster(cfg);
      return cfg;
    }

    private static void checkInitialCluster(ServerConfig cfg) {
      cfg.initialCluster.values().forEach(Urls::check);
      List<URI> mine = cfg.initialCluster.get(cfg.name);
      if (mine == null) {
        throw new IllegalArgumentException(
            "couldn't find local name \"" + cfg.name + "\" in the initial cluster configuration");
      }
      if (cfg.isNewCluster() && !mine.stream().sorted().toList()
          .equals(cfg.initialAdvertisePeerUrls.stream().sorted().toList())) {
        throw new IllegalArgumentException("--initial-cluster has " + cfg.name + "=" + Urls.join(mine)
            + " but missing from --initial-advertise-peer-urls=" + Urls.join(cfg.initialAdvertisePeerUrls));
      }
    }

    private static void requireNonEmpty(List<URI> urls, String flag) {
      if (urls.isEmpty()) throw new IllegalArgumentException(flag + " must not be empty");
    }

    private static void requirePositive(long v, String flag) {
      if (v <= 0) throw new IllegalArgumentException(flag + " must be >0 (set to " + v + ")");
    }
  }

}
