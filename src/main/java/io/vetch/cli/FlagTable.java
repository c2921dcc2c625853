package io.vetch.cli;

import io.vetch.server.config.ServerConfig;
import io.vetch.server.config.Urls;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The flags vetch accepts: etcd's names, defaults and one-line descriptions, and how each value
 * lands in a {@link ServerConfig.Builder}. Also renders the --help text. Immutable, stateless.
 */
final class FlagTable {

  /** Applies a raw string value; throws IllegalArgumentException with the reason it is invalid. */
  @FunctionalInterface
  interface Setter {
    void apply(ServerConfig.Builder b, String value);
  }

  /**
   * One flag. {@code setter} is null for the flags that are not config (help, version, config-file).
   * {@code replacedBy} is null except for an etcd 3.5 name that etcd 3.6 deprecated: then it is the 3.6 flag
   * ("corrupt-check-time") or "feature-gates=Gate" for one that became a feature gate.
   */
  record Flag(String name, String section, String defaultText, String description, Setter setter, String replacedBy) {
    Flag(String name, String section, String defaultText, String description, Setter setter) {
      this(name, section, defaultText, description, setter, null);
    }

    /** This flag under its etcd 3.5 name {@code oldName}: same meaning, deprecated. */
    Flag renamedFrom(String oldName) {
      return new Flag(oldName, section, defaultText, description, setter, name);
    }

    /** For a flag etcd 3.6 turned into a feature gate, the gate; else null. */
    String gate() {
      return replacedBy != null && replacedBy.startsWith("feature-gates=") ? replacedBy.substring(14) : null;
    }

    /** What to use instead, as etcd 3.6 words it: "--corrupt-check-time", "--feature-gates=Gate=true". */
    String use() {
      return "--" + replacedBy + (gate() != null ? "=true" : "");
    }

    /**
     * etcd 3.6's warning when this deprecated flag is set. etcd 3.6 logs none for experimental-initial-corrupt-check
     * (only its --help says it is deprecated); vetch warns for it too, worded as etcd words its other gate flags.
     */
    String deprecationWarning() {
      return "--" + name + " is deprecated in v3.6 and will be decommissioned in v3.7. Use '" + use() + "' instead.";
    }

    boolean isBool() {
      return defaultText.equals("false") || defaultText.equals("true");
    }

    /** etcd's environment variable for this flag: ETCD_ + upper case, dashes to underscores. */
    String envName() {
      return "ETCD_" + name.toUpperCase().replace('-', '_');
    }
  }

  // The two settings vetch has whose etcd 3.5 names etcd 3.6 renamed; ALL lists them under both names.
  private static final Flag WATCH_PROGRESS_NOTIFY_INTERVAL = new Flag("watch-progress-notify-interval",
      "Experimental", "10m", "Duration of periodic watch progress notifications.",
      (b, v) -> b.watchProgressNotifyIntervalMs(durationMs(v)));
  private static final Flag CORRUPT_CHECK_TIME = new Flag("corrupt-check-time", "Experimental", "0s",
      "Duration of time between cluster corruption check passes.", (b, v) -> b.corruptCheckTimeMs(durationMs(v)));

  static final List<Flag> ALL = List.of(
      new Flag("name", "Member", "default", "Human-readable name for this member.",
          (b, v) -> b.name(v)),
      new Flag("data-dir", "Member", "${name}.vetch", "Path to the data directory.",
          (b, v) -> b.dataDir(v.isEmpty() ? null : Path.of(v))),
      new Flag("warmup", "Member", "true",
          "A new member warms the JVM up on a throwaway member in a temporary directory before serving (vetch only).",
          (b, v) -> b.warmup(bool(v))),
      new Flag("enable-ui", "Member", "true", "Serve the web console at /ui/ on the client URLs (vetch only).",
          (b, v) -> b.enableUi(bool(v))),
      new Flag("snapshot-count", "Member", "100000", "Number of committed transactions to trigger a snapshot to disk.",
          (b, v) -> b.snapshotCount(unsigned(v, Long.MAX_VALUE))),
      new Flag("heartbeat-interval", "Member", "100", "Time (in milliseconds) of a heartbeat interval.",
          (b, v) -> b.heartbeatIntervalMs(unsigned(v, Long.MAX_VALUE))),
      new Flag("election-timeout", "Member", "1000", "Time (in milliseconds) for an election to timeout.",
          (b, v) -> b.electionTimeoutMs(unsigned(v, Long.MAX_VALUE))),
      new Flag("listen-peer-urls", "Member", "http://127.0.0.1:2380", "List of URLs to listen on for peer traffic.",
          (b, v) -> b.listenPeerUrls(Urls.parse(v))),
      new Flag("listen-client-urls", "Member", "http://127.0.0.1:2379",
          "List of URLs to listen on for client traffic (gRPC and HTTP).",
          (b, v) -> b.listenClientUrls(Urls.parse(v))),
      new Flag("max-txn-ops", "Member", "128", "Maximum number of operations permitted in a transaction.",
          (b, v) -> b.maxTxnOps((int) unsigned(v, Integer.MAX_VALUE))),
      new Flag("max-request-bytes", "Member", "1572864", "Maximum client request size in bytes the server will accept.",
          (b, v) -> b.maxRequestBytes((int) unsigned(v, Integer.MAX_VALUE))),
      new Flag("quota-backend-bytes", "Member", "0",
          "Raise alarms when backend size exceeds the given quota (0 defaults to 2 GiB, negative disables).",
          (b, v) -> b.quotaBackendBytes(signed(v))),
      WATCH_PROGRESS_NOTIFY_INTERVAL.renamedFrom("experimental-watch-progress-notify-interval"),
      WATCH_PROGRESS_NOTIFY_INTERVAL,
      new Flag("auto-compaction-mode", "Member", "periodic",
          "Interpret 'auto-compaction-retention' one of: periodic|revision. 'periodic' for duration based retention,"
              + " defaulting to hours if no time unit is provided (e.g. '5m'). 'revision' for revision number based"
              + " retention.",
          (b, v) -> b.autoCompactionMode(oneOf(v, List.of("periodic", "revision")))),
      new Flag("auto-compaction-retention", "Member", "0",
          "Auto compaction retention length. 0 means disable auto compaction.",
          (b, v) -> b.autoCompactionRetention(v)),
      new Flag("max-concurrent-streams", "Member", "4294967295",
          "Maximum concurrent streams that each client can open at a time.",
          (b, v) -> b.maxConcurrentStreams(unsigned(v, 0xFFFFFFFFL))),
      new Flag("grpc-keepalive-min-time", "Member", "5s",
          "Minimum duration interval that a client should wait before pinging server.",
          (b, v) -> b.grpcKeepaliveMinTimeMs(durationMs(v))),
      new Flag("grpc-keepalive-interval", "Member", "2h",
          "Frequency duration of server-to-client ping to check if a connection is alive (0 to disable).",
          (b, v) -> b.grpcKeepaliveIntervalMs(durationMs(v))),
      new Flag("grpc-keepalive-timeout", "Member", "20s",
          "Additional duration of wait before closing a non-responsive connection (0 to disable).",
          (b, v) -> b.grpcKeepaliveTimeoutMs(durationMs(v))),
      new Flag("experimental-max-watchers-per-stream", "Experimental", "100000",
          "Maximum watchers one Watch stream may hold (vetch's bound; a create past it is canceled).",
          (b, v) -> b.maxWatchersPerStream((int) unsigned(v, Integer.MAX_VALUE))),
      new Flag("auth-token", "Auth", "simple", "Specify auth token type and its options ('simple' or 'jwt,pub-key=...,priv-key=...,sign-method=...,ttl=...').",
          (b, v) -> b.authToken(v)),
      new Flag("auth-token-ttl", "Auth", "300", "The lifetime in seconds of the auth token.",
          (b, v) -> b.authTokenTtlSeconds(unsigned(v, Long.MAX_VALUE))),
      new Flag("bcrypt-cost", "Auth", "10", "Specify bcrypt algorithm cost factor for auth password hashing.",
          (b, v) -> b.bcryptCost((int) unsigned(v, 31))),
      new Flag("cert-file", "Security", "", "Path to the client server TLS cert file.",
          (b, v) -> b.tls(0).certFile = emptyNull(v)),
      new Flag("key-file", "Security", "", "Path to the client server TLS key file.",
          (b, v) -> b.tls(0).keyFile = emptyNull(v)),
      new Flag("client-cert-auth", "Security", "false", "Enable client cert authentication.",
          (b, v) -> b.tls(0).clientCertAuth = bool(v)),
      new Flag("trusted-ca-file", "Security", "", "Path to the client server TLS trusted CA cert file.",
          (b, v) -> b.tls(0).trustedCaFile = emptyNull(v)),
      new Flag("auto-tls", "Security", "false", "Client TLS using generated certificates.",
          (b, v) -> b.tls(0).autoTls = bool(v)),
      new Flag("peer-cert-file", "Security", "", "Path to the peer server TLS cert file.",
          (b, v) -> b.tls(1).certFile = emptyNull(v)),
      new Flag("peer-key-file", "Security", "", "Path to the peer server TLS key file.",
          (b, v) -> b.tls(1).keyFile = emptyNull(v)),
      new Flag("peer-client-cert-auth", "Security", "false", "Enable peer client cert authentication.",
          (b, v) -> b.tls(1).clientCertAuth = bool(v)),
      new Flag("peer-trusted-ca-file", "Security", "", "Path to the peer server TLS trusted CA file.",
          (b, v) -> b.tls(1).trustedCaFile = emptyNull(v)),
      new Flag("peer-auto-tls", "Security", "false", "Peer TLS using generated certificates.",
          (b, v) -> b.tls(1).autoTls = bool(v)),
      new Flag("peer-cert-allowed-cn", "Security", "", "Comma-separated allowed CNs for inter-peer TLS authentication.",
          (b, v) -> b.tls(1).allowedCns = v.isEmpty() ? List.of() : List.of(v.split(","))),
      new Flag("tls-min-version", "Security", "TLS1.2", "Minimum TLS version supported by etcd (TLS1.2 or TLS1.3).",
          (b, v) -> b.tlsMinVersion(v)),
      new Flag("cipher-suites", "Security", "", "Comma-separated list of supported TLS cipher suites between client/server and peers (empty will be auto-populated by Java).",
          (b, v) -> b.cipherSuites(v.isEmpty() ? List.of() : List.of(v.split(",")))),
      new Flag("experimental-initial-corrupt-check", "Experimental", "false",
          "Enable to check data corruption before serving any client/peer traffic.",
          (b, v) -> b.initialCorruptCheck(bool(v)), "feature-gates=InitialCorruptCheck"),
      CORRUPT_CHECK_TIME.renamedFrom("experimental-corrupt-check-time"),
      CORRUPT_CHECK_TIME,
      new Flag("initial-advertise-peer-urls", "Clustering", "http://127.0.0.1:2380",
          "List of this member's peer URLs to advertise to the rest of the cluster.",
          (b, v) -> b.initialAdvertisePeerUrls(Urls.parse(v))),
      new Flag("initial-cluster", "Clustering", "default=http://127.0.0.1:2380",
          "Initial cluster configuration for bootstrapping.",
          (b, v) -> b.initialCluster(v.isEmpty() ? null : Urls.parseInitialCluster(v))),
      new Flag("initial-cluster-state", "Clustering", "new",
          "Initial cluster state ('new' or 'existing').",
          (b, v) -> b.initialClusterState(oneOf(v, List.of("new", "existing")))),
      new Flag("initial-cluster-token", "Clustering", "etcd-cluster",
          "Initial cluster token for the etcd cluster during bootstrap.",
          (b, v) -> b.initialClusterToken(v)),
      new Flag("advertise-client-urls", "Clustering", "http://127.0.0.1:2379",
          "List of this member's client URLs to advertise to the public.",
          (b, v) -> b.advertiseClientUrls(Urls.parse(v))),
      new Flag("log-level", "Logging", "info",
          "Configures log level. Only supports debug, info, warn, error, panic, or fatal.",
          (b, v) -> b.logLevel(oneOf(v, ServerConfig.LOG_LEVELS))),
      new Flag("listen-metrics-urls", "Profiling and Monitoring", "",
          "List of URLs to listen on for the metrics and health endpoints.",
          (b, v) -> b.listenMetricsUrls(Urls.parse(v))),
      new Flag("feature-gates", "Member", "",
          "A set of key=value pairs that describe server level feature gates for alpha/experimental features."
              + " Options are:\n    " + String.join("\n    ", FeatureGates.helpLines())
              + "\n    vetch acts on InitialCorruptCheck; it accepts the others, which change nothing in vetch.",
          FeatureGates::apply),
      new Flag("config-file", "Member", "", "Path to the server configuration file. Its values override flags and environment variables.", null),
      new Flag("version", "Other", "false", "Print the version and exit.", null),
      new Flag("help", "Other", "false", "Show this help and exit.", null),
      new Flag("h", "Other", "false", "Show this help and exit.", null));

  private FlagTable() {}

  static Optional<Flag> find(String name) {
    return ALL.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  /** The other name of a setting etcd 3.6 renamed (old to new, new to old); empty for other flags and for gates. */
  static Optional<String> otherSpelling(String name) {
    for (Flag f : ALL) {
      if (f.replacedBy() == null || f.gate() != null) continue;
      if (f.name().equals(name)) return Optional.of(f.replacedBy());
      if (f.replacedBy().equals(name)) return Optional.of(f.name());
    }
    return Optional.empty();
  }

  /** The --help text, grouped by section as etcd's is. */
  static String usage() {
    Map<String, StringBuilder> sections = new LinkedHashMap<>();
    for (Flag f : ALL) {
      if (f.name().equals("h")) continue;
      String dash = "  --" + f.name() + (f.isBool() ? "" : " '" + f.defaultText() + "'");
      String deprecated = f.replacedBy() == null ? ""
          : " Deprecated in v3.6 and will be decommissioned in v3.7. Use '" + f.use() + "' instead.";
      sections.computeIfAbsent(f.section(), s -> new StringBuilder())
          .append(dash).append("\n    ").append(f.description()).append(deprecated).append('\n');
    }
    StringBuilder out = new StringBuilder()
        .append("Usage:\n\n  vetch [flags]\n    Start a vetch member (etcd v3 API compatible).\n\n")
        .append("  vetch --version\n    Show the version of vetch.\n\n")
        .append("  vetch -h | --help\n    Show the help information about vetch.\n\n")
        .append("Flags take '--flag value', '--flag=value' or '-flag value'. Each flag can also be set\n")
        .append("by an environment variable ETCD_<FLAG> (upper case, '-' as '_'), e.g. ETCD_DATA_DIR;\n")
        .append("a flag on the command line wins over its environment variable, and --config-file\n")
        .append("wins over both.\n");
    sections.forEach((name, body) -> out.append('\n').append(name).append(":\n\n").append(body));
    return out.toString();
  }

  private static long unsigned(String v, long max) {
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an unsigned integer");
    }
    if (n < 0) throw new IllegalArgumentException("not an unsigned integer");
    if (n > max) throw new IllegalArgumentException("value out of range (max " + max + ")");
    return n;
  }

  /** A Go duration ("10m", "1m30s", "500ms", "2h"), in milliseconds. */
  static long durationMs(String v) {
    return ServerConfig.durationMs(v);
  }

  private static String emptyNull(String v) {
    return v.isEmpty() ? null : v;
  }

  /** Go's strconv.ParseBool, as etcd reads every boolean: null when v is none of its spellings. */
  static Boolean goBool(String v) {
    return switch (v) {
      case "1", "t", "T", "true", "TRUE", "True" -> true;
      case "0", "f", "F", "false", "FALSE", "False" -> false;
      default -> null;
    };
  }

  private static boolean bool(String v) {
    Boolean b = goBool(v);
    if (b == null) {
      throw new IllegalArgumentException("invalid boolean");
    }
    return b;
  }

  private static long signed(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an integer");
    }
  }

  private static String oneOf(String v, List<String> allowed) {
    if (!allowed.contains(v)) {
      throw new IllegalArgumentException("valid values are " + String.join(", ", allowed));
    }
    return v;
  }
}
