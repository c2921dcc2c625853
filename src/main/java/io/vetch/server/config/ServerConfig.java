package io.vetch.server.config;

import static io.vetch.server.config.Setting.*;

import io.vetch.server.auth.JwtTokens;
import io.vetch.server.auth.SimpleTokens;
import io.vetch.server.auth.TokenProvider;
import io.vetch.transport.Tls;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The configuration of one vetch member: a value for each {@link Setting}, named and defaulted as etcd's flags are
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
  /** etcd's upper bound for --election-timeout. */
  public static final long MAX_ELECTION_TIMEOUT_MS = 50_000;
  /** etcd 3.4+ default backend quota: 2 GiB; a configured 0 means this. */
  public static final long DEFAULT_QUOTA_BACKEND_BYTES = 2L * 1024 * 1024 * 1024;

  private final Map<Setting<?>, Object> values; // every setting, derived ones filled in
  private final Tls clientTls;
  private final Tls peerTls;

  private ServerConfig(Map<Setting<?>, Object> values, Tls clientTls, Tls peerTls) {
    this.values = values;
    this.clientTls = clientTls;
    this.peerTls = peerTls;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values (derived ones included), for deriving a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.given.putAll(values);
    return b;
  }

  /** The value of any setting. */
  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> s) { return (T) values.get(s); }

  public String name() { return get(NAME); }
  public Path dataDir() { return get(DATA_DIR); }
  public List<URI> listenClientUrls() { return get(LISTEN_CLIENT_URLS); }
  public List<URI> advertiseClientUrls() { return get(ADVERTISE_CLIENT_URLS); }
  public List<URI> listenPeerUrls() { return get(LISTEN_PEER_URLS); }
  public List<URI> initialAdvertisePeerUrls() { return get(INITIAL_ADVERTISE_PEER_URLS); }
  /** Member name to its peer URLs, in the order given; always contains {@link #name()}. */
  public Map<String, List<URI>> initialCluster() { return get(INITIAL_CLUSTER); }
  /** "new" or "existing". */
  public String initialClusterState() { return get(INITIAL_CLUSTER_STATE); }
  public boolean isNewCluster() { return "new".equals(initialClusterState()); }
  public String initialClusterToken() { return get(INITIAL_CLUSTER_TOKEN); }
  public long snapshotCount() { return get(SNAPSHOT_COUNT); }
  public long heartbeatIntervalMs() { return get(HEARTBEAT_INTERVAL); }
  public long electionTimeoutMs() { return get(ELECTION_TIMEOUT); }
  /** Raft election timeout in heartbeat ticks, as etcd's ElectionTicks(). */
  public int electionTicks() { return (int) (electionTimeoutMs() / heartbeatIntervalMs()); }
  public int maxRequestBytes() { return get(MAX_REQUEST_BYTES); }
  public int maxTxnOps() { return get(MAX_TXN_OPS); }
  /** The backend quota as configured: 0 means the default, negative disables the quota. */
  public long quotaBackendBytes() { return get(QUOTA_BACKEND_BYTES); }
  /** The quota in force: the default for 0, {@link Long#MAX_VALUE} when disabled. */
  public long effectiveQuotaBackendBytes() {
    long q = quotaBackendBytes();
    return q == 0 ? DEFAULT_QUOTA_BACKEND_BYTES : q < 0 ? Long.MAX_VALUE : q;
  }
  /**
   * --watch-progress-notify-interval (etcd 3.5: --experimental-watch-progress-notify-interval): how often watchers
   * that asked for progress_notify get one when idle (etcd: 10 minutes).
   */
  public long watchProgressNotifyIntervalMs() { return get(WATCH_PROGRESS_NOTIFY_INTERVAL); }
  /** One of debug, info, warn, error, dpanic, panic, fatal. */
  public String logLevel() { return get(LOG_LEVEL); }
  public List<URI> listenMetricsUrls() { return get(LISTEN_METRICS_URLS); }
  /** "periodic" or "revision". */
  public String autoCompactionMode() { return get(AUTO_COMPACTION_MODE); }
  /**
   * Auto-compaction retention: with periodic mode a duration in ms (a plain number is hours, as etcd), with revision
   * mode a number of revisions; 0 when auto-compaction is off.
   */
  public long autoCompactionRetention() {
    String r = get(AUTO_COMPACTION_RETENTION).trim();
    if (autoCompactionMode().equals("revision")) {
      return Long.parseLong(r);
    }
    return r.matches("\\d+") ? Long.parseLong(r) * 3_600_000 : durationMs(r);
  }
  /**
   * --feature-gates=InitialCorruptCheck=true (etcd 3.5: --experimental-initial-corrupt-check): compare HashKV with
   * the peers before serving.
   */
  public boolean initialCorruptCheck() { return get(INITIAL_CORRUPT_CHECK); }
  /** --warmup: bin/vetch warms the JVM up on a throwaway member before serving (embedding applications do not). */
  public boolean warmup() { return get(WARMUP); }
  /** --enable-ui: the web console at /ui/ on the client URLs (vetch only). */
  public boolean enableUi() { return get(ENABLE_UI); }
  /** --enable-v2: etcd's v2 API (/v2/keys, /v2/members, /v2/machines, /v2/stats) on the client URLs. */
  public boolean enableV2() { return get(ENABLE_V2); }
  /** --corrupt-check-time (etcd 3.5: --experimental-corrupt-check-time) in ms; 0 disables the periodic check. */
  public long corruptCheckTimeMs() { return get(CORRUPT_CHECK_TIME); }
  /** How often the revision auto-compactor runs: etcd's fixed 5 minutes; no flag, embedders and tests may change it. */
  public long revisionCompactionIntervalMs() { return get(REVISION_COMPACTION_INTERVAL); }
  /** --auth-token: "simple", or "jwt,pub-key=...,priv-key=...,sign-method=...,ttl=..." as etcd. */
  public String authToken() { return get(AUTH_TOKEN); }
  /** The token provider --auth-token asks for. */
  public TokenProvider tokenProvider() {
    return authToken().startsWith("jwt,")
        ? JwtTokens.parse(authToken().substring(4), Setting::durationMs)
        : new SimpleTokens(authTokenTtlSeconds(), System::nanoTime);
  }
  /** --auth-token-ttl: how long a simple token lives unused, in seconds. */
  public long authTokenTtlSeconds() { return get(AUTH_TOKEN_TTL); }
  /** --bcrypt-cost for password hashes. */
  public int bcryptCost() { return get(BCRYPT_COST); }
  /** --max-concurrent-streams: HTTP/2 streams a client connection may have open at once. */
  public long maxConcurrentStreams() { return get(MAX_CONCURRENT_STREAMS); }
  /** --grpc-keepalive-min-time: the shortest interval between a client's pings before they count as abuse. */
  public long grpcKeepaliveMinTimeMs() { return get(GRPC_KEEPALIVE_MIN_TIME); }
  /** --grpc-keepalive-interval: how often the server pings a connection (0: never). */
  public long grpcKeepaliveIntervalMs() { return get(GRPC_KEEPALIVE_INTERVAL); }
  /** --grpc-keepalive-timeout: how long a server ping may go unanswered before the connection is closed. */
  public long grpcKeepaliveTimeoutMs() { return get(GRPC_KEEPALIVE_TIMEOUT); }
  /** --experimental-max-watchers-per-stream: watchers one Watch stream may hold (vetch's bound; etcd has none). */
  public int maxWatchersPerStream() { return get(MAX_WATCHERS_PER_STREAM); }
  /** TLS for the https:// client URLs (etcd's client transport security). */
  public Tls clientTls() { return clientTls; }
  /** TLS for the peer URLs, when they are https:// (etcd's peer transport security). */
  public Tls peerTls() { return peerTls; }

  /** This config with the given TLS settings (auto-TLS with its generated certificates). */
  public ServerConfig withTls(Tls client, Tls peer) {
    Builder b = toBuilder();
    b.clientTls = client;
    b.peerTls = peer;
    return b.build();
  }

  /** Every setting as {@code camelCaseFlag=value}, then the TLS in force. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("ServerConfig{");
    for (Setting<?> s : ALL) {
      String[] words = s.flag().split("-");
      out.append(words[0]);
      for (int i = 1; i < words.length; i++) {
        out.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
      }
      out.append('=').append(values.get(s)).append(", ");
    }
    return out.append("clientTls=").append(clientTls).append(", peerTls=").append(peerTls).append('}').toString();
  }

  /** Collects values; not thread-safe. Unset values keep the table's defaults. */
  public static final class Builder {
    private final Map<Setting<?>, Object> given = new HashMap<>();
    private Tls clientTls; // set by withTls only
    private Tls peerTls;

    private Builder() {}

    /** Sets any setting; null restores a derived one's default. */
    public <T> Builder set(Setting<T> s, T v) {
      given.put(s, v);
      return this;
    }

    @SuppressWarnings("unchecked")
    private <T> T get(Setting<T> s) {
      return given.containsKey(s) ? (T) given.get(s) : s.defaultValue();
    }

    public Builder name(String v) { return set(NAME, Objects.requireNonNull(v)); }
    /** Null restores the default {@code <name>.vetch}. */
    public Builder dataDir(Path v) { return set(DATA_DIR, v); }
    public Builder listenClientUrls(List<URI> v) { return set(LISTEN_CLIENT_URLS, v); }
    public Builder advertiseClientUrls(List<URI> v) { return set(ADVERTISE_CLIENT_URLS, v); }
    public Builder listenPeerUrls(List<URI> v) { return set(LISTEN_PEER_URLS, v); }
    public Builder initialAdvertisePeerUrls(List<URI> v) { return set(INITIAL_ADVERTISE_PEER_URLS, v); }
    /** Null restores the default {@code <name>=<initial-advertise-peer-urls>}. */
    public Builder initialCluster(Map<String, List<URI>> v) { return set(INITIAL_CLUSTER, v); }
    public Builder initialClusterState(String v) { return set(INITIAL_CLUSTER_STATE, v); }
    public Builder initialClusterToken(String v) { return set(INITIAL_CLUSTER_TOKEN, v); }
    public Builder snapshotCount(long v) { return set(SNAPSHOT_COUNT, v); }
    public Builder heartbeatIntervalMs(long v) { return set(HEARTBEAT_INTERVAL, v); }
    public Builder electionTimeoutMs(long v) { return set(ELECTION_TIMEOUT, v); }
    public Builder maxRequestBytes(int v) { return set(MAX_REQUEST_BYTES, v); }
    public Builder maxTxnOps(int v) { return set(MAX_TXN_OPS, v); }
    public Builder quotaBackendBytes(long v) { return set(QUOTA_BACKEND_BYTES, v); }
    public Builder watchProgressNotifyIntervalMs(long v) { return set(WATCH_PROGRESS_NOTIFY_INTERVAL, v); }
    public Builder logLevel(String v) { return set(LOG_LEVEL, v); }
    public Builder listenMetricsUrls(List<URI> v) { return set(LISTEN_METRICS_URLS, v); }
    public Builder autoCompactionMode(String v) { return set(AUTO_COMPACTION_MODE, v); }
    public Builder autoCompactionRetention(String v) { return set(AUTO_COMPACTION_RETENTION, v); }
    public Builder initialCorruptCheck(boolean v) { return set(INITIAL_CORRUPT_CHECK, v); }
    public Builder warmup(boolean v) { return set(WARMUP, v); }
    public Builder enableUi(boolean v) { return set(ENABLE_UI, v); }
    public Builder enableV2(boolean v) { return set(ENABLE_V2, v); }
    public Builder corruptCheckTimeMs(long v) { return set(CORRUPT_CHECK_TIME, v); }
    public Builder revisionCompactionIntervalMs(long v) { return set(REVISION_COMPACTION_INTERVAL, v); }
    public Builder authToken(String v) { return set(AUTH_TOKEN, v); }
    public Builder authTokenTtlSeconds(long v) { return set(AUTH_TOKEN_TTL, v); }
    public Builder bcryptCost(int v) { return set(BCRYPT_COST, v); }
    public Builder tlsMinVersion(String v) { return set(TLS_MIN_VERSION, v); }
    public Builder cipherSuites(List<String> v) { return set(CIPHER_SUITES, List.copyOf(v)); }
    public Builder maxConcurrentStreams(long v) { return set(MAX_CONCURRENT_STREAMS, v); }
    public Builder grpcKeepaliveMinTimeMs(long v) { return set(GRPC_KEEPALIVE_MIN_TIME, v); }
    public Builder grpcKeepaliveIntervalMs(long v) { return set(GRPC_KEEPALIVE_INTERVAL, v); }
    public Builder grpcKeepaliveTimeoutMs(long v) { return set(GRPC_KEEPALIVE_TIMEOUT, v); }
    public Builder maxWatchersPerStream(int v) { return set(MAX_WATCHERS_PER_STREAM, v); }

    /** Validates as etcd's embed.Config.Validate and bootstrap checks do. */
    public ServerConfig build() {
      String name = get(NAME);
      if (name.isEmpty()) throw new IllegalArgumentException("--name must not be empty");
      if (given.containsKey(LISTEN_CLIENT_URLS) && !given.containsKey(ADVERTISE_CLIENT_URLS)) {
        throw new IllegalArgumentException(
            "--advertise-client-urls is required when --listen-client-urls is set explicitly");
      }
      Urls.checkBind(get(LISTEN_CLIENT_URLS));
      Urls.checkBind(get(LISTEN_PEER_URLS));
      Urls.checkBind(get(LISTEN_METRICS_URLS));
      Urls.check(get(ADVERTISE_CLIENT_URLS));
      Urls.check(get(INITIAL_ADVERTISE_PEER_URLS));
      for (Setting<List<URI>> s : List.of(LISTEN_CLIENT_URLS, ADVERTISE_CLIENT_URLS, LISTEN_PEER_URLS,
          INITIAL_ADVERTISE_PEER_URLS)) {
        if (get(s).isEmpty()) throw new IllegalArgumentException("--" + s.flag() + " must not be empty");
      }
      String state = get(INITIAL_CLUSTER_STATE);
      if (!state.equals("new") && !state.equals("existing")) {
        throw new IllegalArgumentException(
            "unexpected clusterState \"" + state + "\" (valid values are \"new\" or \"existing\")");
      }
      long heartbeat = get(HEARTBEAT_INTERVAL);
      long election = get(ELECTION_TIMEOUT);
      if (heartbeat <= 0) {
        throw new IllegalArgumentException("--heartbeat-interval must be >0 (set to " + heartbeat + "ms)");
      }
      if (get(WATCH_PROGRESS_NOTIFY_INTERVAL) <= 0) {
        throw new IllegalArgumentException("--watch-progress-notify-interval must be >0");
      }
      if (election <= 0) {
        throw new IllegalArgumentException("--election-timeout must be >0 (set to " + election + "ms)");
      }
      if (5 * heartbeat > election) {
        throw new IllegalArgumentException("--election-timeout[" + election
            + "ms] should be at least as 5 times as --heartbeat-interval[" + heartbeat + "ms]");
      }
      if (election > MAX_ELECTION_TIMEOUT_MS) {
        throw new IllegalArgumentException("--election-timeout[" + election
            + "ms] is too long, and should be set less than " + MAX_ELECTION_TIMEOUT_MS + "ms");
      }
      requirePositive(SNAPSHOT_COUNT);
      requirePositive(MAX_REQUEST_BYTES);
      requirePositive(MAX_TXN_OPS);
      if (!LOG_LEVELS.contains(get(LOG_LEVEL))) {
        throw new IllegalArgumentException("unknown --log-level \"" + get(LOG_LEVEL) + "\" (valid values are "
            + String.join(", ", LOG_LEVELS) + ")");
      }
      String tlsMinVersion = get(TLS_MIN_VERSION);
      if (!tlsMinVersion.equals("TLS1.2") && !tlsMinVersion.equals("TLS1.3")) {
        throw new IllegalArgumentException("unexpected TLS version \"" + tlsMinVersion + "\" (TLS1.2 or TLS1.3)");
      }
      String authToken = get(AUTH_TOKEN);
      if (!authToken.equals("simple") && !authToken.startsWith("jwt,")) {
        throw new IllegalArgumentException("unknown --auth-token type \"" + authToken.split(",")[0]
            + "\" (simple or jwt,...)");
      }
      if (authToken.startsWith("jwt,")) {
        JwtTokens.parse(authToken.substring(4), Setting::durationMs); // validates
      }
      int bcryptCost = get(BCRYPT_COST);
      if (bcryptCost < 4 || bcryptCost > 31) {
        throw new IllegalArgumentException("--bcrypt-cost must be between 4 and 31 (set to " + bcryptCost + ")");
      }
      requirePositive(AUTH_TOKEN_TTL);
      long streams = get(MAX_CONCURRENT_STREAMS);
      if (streams < 1 || streams > 0xFFFFFFFFL) {
        throw new IllegalArgumentException("--max-concurrent-streams must be between 1 and 4294967295");
      }
      requirePositive(MAX_WATCHERS_PER_STREAM);
      ServerConfig cfg = new ServerConfig(values(), clientTls != null ? clientTls : tls(false),
          peerTls != null ? peerTls : tls(true));
      try {
        if (cfg.autoCompactionRetention() < 0) {
          throw new IllegalArgumentException("negative");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid --auto-compaction-retention \"" + get(AUTO_COMPACTION_RETENTION)
            + "\" for --auto-compaction-mode " + get(AUTO_COMPACTION_MODE));
      }
      checkInitialCluster(cfg);
      return cfg;
    }

    /** Every setting's value, lists unmodifiable and the derived defaults filled in. */
    private Map<Setting<?>, Object> values() {
      Map<Setting<?>, Object> out = new HashMap<>();
      for (Setting<?> s : ALL) {
        Object v = get(s);
        out.put(s, v instanceof List<?> l ? List.copyOf(l) : v);
      }
      if (out.get(DATA_DIR) == null) out.put(DATA_DIR, Path.of(get(NAME) + ".vetch"));
      Map<String, List<URI>> cluster = new LinkedHashMap<>();
      if (get(INITIAL_CLUSTER) == null) {
        cluster.put(get(NAME), List.copyOf(get(INITIAL_ADVERTISE_PEER_URLS)));
      } else {
        get(INITIAL_CLUSTER).forEach((k, v) -> cluster.put(k, List.copyOf(v)));
      }
      out.put(INITIAL_CLUSTER, Collections.unmodifiableMap(cluster));
      return out;
    }

    /** One side's TLS from its settings: none unless one of its URLs is https. */
    private Tls tls(boolean peer) {
      List<URI> listen = get(peer ? LISTEN_PEER_URLS : LISTEN_CLIENT_URLS);
      List<URI> advertise = get(peer ? INITIAL_ADVERTISE_PEER_URLS : ADVERTISE_CLIENT_URLS);
      if (!anyHttps(listen) && !anyHttps(advertise)) {
        return Tls.NONE;
      }
      String cert = get(peer ? PEER_CERT_FILE : CERT_FILE);
      String key = get(peer ? PEER_KEY_FILE : KEY_FILE);
      String ca = get(peer ? PEER_TRUSTED_CA_FILE : TRUSTED_CA_FILE);
      boolean files = cert != null && key != null;
      if (!files && !get(peer ? PEER_AUTO_TLS : AUTO_TLS)) {
        throw new IllegalArgumentException("TLS key/cert (" + (peer ? "--peer-cert-file, --peer-key-file"
            : "--cert-file, --key-file") + ") must be provided for " + (peer ? "peer" : "client")
            + " URLs with HTTPS scheme");
      }
      for (String f : Arrays.asList(cert, key, ca)) {
        if (f != null && !Files.isReadable(Path.of(f))) {
          throw new IllegalArgumentException("cannot read TLS file " + f);
        }
      }
      return new Tls(true, cert, key, ca, get(peer ? PEER_CLIENT_CERT_AUTH : CLIENT_CERT_AUTH), !files,
          peer ? List.copyOf(get(PEER_CERT_ALLOWED_CN)) : List.of(), get(TLS_MIN_VERSION),
          List.copyOf(get(CIPHER_SUITES)), null, null);
    }

    private static boolean anyHttps(List<URI> urls) {
      return urls.stream().anyMatch(u -> "https".equals(u.getScheme()));
    }

    private static void checkInitialCluster(ServerConfig cfg) {
      cfg.initialCluster().values().forEach(Urls::check);
      List<URI> mine = cfg.initialCluster().get(cfg.name());
      if (mine == null) {
        throw new IllegalArgumentException(
            "couldn't find local name \"" + cfg.name() + "\" in the initial cluster configuration");
      }
      if (cfg.isNewCluster() && !mine.stream().sorted().toList()
          .equals(cfg.initialAdvertisePeerUrls().stream().sorted().toList())) {
        throw new IllegalArgumentException("--initial-cluster has " + cfg.name() + "=" + Urls.join(mine)
            + " but missing from --initial-advertise-peer-urls=" + Urls.join(cfg.initialAdvertisePeerUrls()));
      }
    }

    private void requirePositive(Setting<? extends Number> s) {
      long v = get(s).longValue();
      if (v <= 0) throw new IllegalArgumentException("--" + s.flag() + " must be >0 (set to " + v + ")");
    }
  }
}
