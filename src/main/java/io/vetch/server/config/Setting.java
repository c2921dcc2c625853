package io.vetch.server.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One setting of a member, declared once in the table below: etcd's flag name, which is also its config-file key
 * and, as ETCD_ + the name in upper case with '_' for '-', its environment variable; its --help section and line; its
 * default, written as the flag's text; and the parser from such text to the value. {@link ServerConfig} holds a
 * value for every setting; the command line derives flags, variables, config-file keys and --help from {@link #ALL}.
 * Immutable; instances are the constants below only.
 */
public final class Setting<T> {
  /** The levels --log-level takes. */
  static final List<String> LOG_LEVELS = List.of("debug", "info", "warn", "error", "dpanic", "panic", "fatal");
  private static final List<Setting<?>> TABLE = new ArrayList<>(); // the declarations below, in order

  private static final String MEMBER = "Member";
  private static final String EXPERIMENTAL = "Experimental";
  private static final String AUTH = "Auth";
  private static final String SECURITY = "Security";
  private static final String CLUSTERING = "Clustering";

  // The table, in the order flags are applied and listed within their --help section.
  public static final Setting<String> NAME = add(MEMBER, "name", "default", v -> v,
      "Human-readable name for this member.");
  /** Derived: null means {@code <name>.vetch}. */
  public static final Setting<Path> DATA_DIR = derived(MEMBER, "data-dir", "${name}.vetch",
      v -> v.isEmpty() ? null : Path.of(v), "Path to the data directory.");
  public static final Setting<Boolean> WARMUP = add(MEMBER, "warmup", "true", Setting::bool,
      "A new member warms the JVM up on a throwaway member in a temporary directory before serving (vetch only).");
  public static final Setting<Boolean> ENABLE_UI = add(MEMBER, "enable-ui", "true", Setting::bool,
      "Serve the web console at /ui/ on the client URLs (vetch only).");
  public static final Setting<Long> SNAPSHOT_COUNT = add(MEMBER, "snapshot-count", "100000",
      v -> unsigned(v, Long.MAX_VALUE), "Number of committed transactions to trigger a snapshot to disk.");
  public static final Setting<Long> HEARTBEAT_INTERVAL = add(MEMBER, "heartbeat-interval", "100",
      v -> unsigned(v, Long.MAX_VALUE), "Time (in milliseconds) of a heartbeat interval.");
  public static final Setting<Long> ELECTION_TIMEOUT = add(MEMBER, "election-timeout", "1000",
      v -> unsigned(v, Long.MAX_VALUE), "Time (in milliseconds) for an election to timeout.");
  public static final Setting<List<URI>> LISTEN_PEER_URLS = add(MEMBER, "listen-peer-urls", "http://127.0.0.1:2380",
      Urls::parse, "List of URLs to listen on for peer traffic.");
  public static final Setting<List<URI>> LISTEN_CLIENT_URLS = add(MEMBER, "listen-client-urls",
      "http://127.0.0.1:2379", Urls::parse, "List of URLs to listen on for client traffic (gRPC and HTTP).");
  public static final Setting<Integer> MAX_TXN_OPS = add(MEMBER, "max-txn-ops", "128",
      v -> (int) unsigned(v, Integer.MAX_VALUE), "Maximum number of operations permitted in a transaction.");
  public static final Setting<Integer> MAX_REQUEST_BYTES = add(MEMBER, "max-request-bytes", "1572864",
      v -> (int) unsigned(v, Integer.MAX_VALUE), "Maximum client request size in bytes the server will accept.");
  public static final Setting<Long> QUOTA_BACKEND_BYTES = add(MEMBER, "quota-backend-bytes", "0", Setting::signed,
      "Raise alarms when backend size exceeds the given quota (0 defaults to 2 GiB, negative disables).");
  public static final Setting<Long> WATCH_PROGRESS_NOTIFY_INTERVAL = renamed(
      "experimental-watch-progress-notify-interval", EXPERIMENTAL, "watch-progress-notify-interval", "10m",
      Setting::durationMs, "Duration of periodic watch progress notifications.");
  public static final Setting<String> AUTO_COMPACTION_MODE = add(MEMBER, "auto-compaction-mode", "periodic",
      v -> oneOf(v, List.of("periodic", "revision")),
      "Interpret 'auto-compaction-retention' one of: periodic|revision. 'periodic' for duration based retention,"
          + " defaulting to hours if no time unit is provided (e.g. '5m'). 'revision' for revision number based"
          + " retention.");
  public static final Setting<String> AUTO_COMPACTION_RETENTION = add(MEMBER, "auto-compaction-retention", "0",
      v -> v, "Auto compaction retention length. 0 means disable auto compaction.");
  public static final Setting<Long> MAX_CONCURRENT_STREAMS = add(MEMBER, "max-concurrent-streams", "4294967295",
      v -> unsigned(v, 0xFFFFFFFFL), "Maximum concurrent streams that each client can open at a time.");
  public static final Setting<Long> GRPC_KEEPALIVE_MIN_TIME = add(MEMBER, "grpc-keepalive-min-time", "5s",
      Setting::durationMs, "Minimum duration interval that a client should wait before pinging server.");
  public static final Setting<Long> GRPC_KEEPALIVE_INTERVAL = add(MEMBER, "grpc-keepalive-interval", "2h",
      Setting::durationMs,
      "Frequency duration of server-to-client ping to check if a connection is alive (0 to disable).");
  public static final Setting<Long> GRPC_KEEPALIVE_TIMEOUT = add(MEMBER, "grpc-keepalive-timeout", "20s",
      Setting::durationMs, "Additional duration of wait before closing a non-responsive connection (0 to disable).");
  public static final Setting<Integer> MAX_WATCHERS_PER_STREAM = add(EXPERIMENTAL,
      "experimental-max-watchers-per-stream", "100000", v -> (int) unsigned(v, Integer.MAX_VALUE),
      "Maximum watchers one Watch stream may hold (vetch's bound; a create past it is canceled).");
  public static final Setting<String> AUTH_TOKEN = add(AUTH, "auth-token", "simple", v -> v,
      "Specify auth token type and its options ('simple' or 'jwt,pub-key=...,priv-key=...,sign-method=...,ttl=...').");
  public static final Setting<Long> AUTH_TOKEN_TTL = add(AUTH, "auth-token-ttl", "300",
      v -> unsigned(v, Long.MAX_VALUE), "The lifetime in seconds of the auth token.");
  public static final Setting<Integer> BCRYPT_COST = add(AUTH, "bcrypt-cost", "10", v -> (int) unsigned(v, 31),
      "Specify bcrypt algorithm cost factor for auth password hashing.");
  public static final Setting<String> CERT_FILE = add(SECURITY, "cert-file", "", Setting::emptyNull,
      "Path to the client server TLS cert file.");
  public static final Setting<String> KEY_FILE = add(SECURITY, "key-file", "", Setting::emptyNull,
      "Path to the client server TLS key file.");
  public static final Setting<Boolean> CLIENT_CERT_AUTH = add(SECURITY, "client-cert-auth", "false", Setting::bool,
      "Enable client cert authentication.");
  public static final Setting<String> TRUSTED_CA_FILE = add(SECURITY, "trusted-ca-file", "", Setting::emptyNull,
      "Path to the client server TLS trusted CA cert file.");
  public static final Setting<Boolean> AUTO_TLS = add(SECURITY, "auto-tls", "false", Setting::bool,
      "Client TLS using generated certificates.");
  public static final Setting<String> PEER_CERT_FILE = add(SECURITY, "peer-cert-file", "", Setting::emptyNull,
      "Path to the peer server TLS cert file.");
  public static final Setting<String> PEER_KEY_FILE = add(SECURITY, "peer-key-file", "", Setting::emptyNull,
      "Path to the peer server TLS key file.");
  public static final Setting<Boolean> PEER_CLIENT_CERT_AUTH = add(SECURITY, "peer-client-cert-auth", "false",
      Setting::bool, "Enable peer client cert authentication.");
  public static final Setting<String> PEER_TRUSTED_CA_FILE = add(SECURITY, "peer-trusted-ca-file", "",
      Setting::emptyNull, "Path to the peer server TLS trusted CA file.");
  public static final Setting<Boolean> PEER_AUTO_TLS = add(SECURITY, "peer-auto-tls", "false", Setting::bool,
      "Peer TLS using generated certificates.");
  public static final Setting<List<String>> PEER_CERT_ALLOWED_CN = add(SECURITY, "peer-cert-allowed-cn", "",
      Setting::commaList, "Comma-separated allowed CNs for inter-peer TLS authentication.");
  public static final Setting<String> TLS_MIN_VERSION = add(SECURITY, "tls-min-version", "TLS1.2", v -> v,
      "Minimum TLS version supported by etcd (TLS1.2 or TLS1.3).");
  public static final Setting<List<String>> CIPHER_SUITES = add(SECURITY, "cipher-suites", "", Setting::commaList,
      "Comma-separated list of supported TLS cipher suites between client/server and peers (empty will be"
          + " auto-populated by Java).");
  /** etcd 3.6 deprecates this flag for --feature-gates=InitialCorruptCheck=true (the command line's FeatureGates). */
  public static final Setting<Boolean> INITIAL_CORRUPT_CHECK = add(EXPERIMENTAL, "experimental-initial-corrupt-check",
      "false", Setting::bool, "Enable to check data corruption before serving any client/peer traffic.");
  public static final Setting<Long> CORRUPT_CHECK_TIME = renamed("experimental-corrupt-check-time", EXPERIMENTAL,
      "corrupt-check-time", "0s", Setting::durationMs, "Duration of time between cluster corruption check passes.");
  public static final Setting<List<URI>> INITIAL_ADVERTISE_PEER_URLS = add(CLUSTERING, "initial-advertise-peer-urls",
      "http://127.0.0.1:2380", Urls::parse, "List of this member's peer URLs to advertise to the rest of the cluster.");
  /** Derived: null means {@code <name>=<initial-advertise-peer-urls>}. */
  public static final Setting<Map<String, List<URI>>> INITIAL_CLUSTER = derived(CLUSTERING, "initial-cluster",
      "default=http://127.0.0.1:2380", v -> v.isEmpty() ? null : Urls.parseInitialCluster(v),
      "Initial cluster configuration for bootstrapping.");
  public static final Setting<String> INITIAL_CLUSTER_STATE = add(CLUSTERING, "initial-cluster-state", "new",
      v -> oneOf(v, List.of("new", "existing")), "Initial cluster state ('new' or 'existing').");
  public static final Setting<String> INITIAL_CLUSTER_TOKEN = add(CLUSTERING, "initial-cluster-token",
      "etcd-cluster", v -> v, "Initial cluster token for the etcd cluster during bootstrap.");
  public static final Setting<List<URI>> ADVERTISE_CLIENT_URLS = add(CLUSTERING, "advertise-client-urls",
      "http://127.0.0.1:2379", Urls::parse, "List of this member's client URLs to advertise to the public.");
  public static final Setting<Boolean> ENABLE_V2 = add(CLUSTERING, "enable-v2", "false", Setting::bool,
      "Accept etcd V2 client requests.");
  public static final Setting<String> LOG_LEVEL = add("Logging", "log-level", "info", v -> oneOf(v, LOG_LEVELS),
      "Configures log level. Only supports debug, info, warn, error, panic, or fatal.");
  public static final Setting<List<URI>> LISTEN_METRICS_URLS = add("Profiling and Monitoring", "listen-metrics-urls",
      "", Urls::parse, "List of URLs to listen on for the metrics and health endpoints.");
  /** No flag (section null): embedders and tests may change it. */
  public static final Setting<Long> REVISION_COMPACTION_INTERVAL = add(null, "revision-compaction-interval", "5m",
      Setting::durationMs, "How often the revision auto-compactor runs (etcd's fixed 5 minutes).");

  /** Every setting, in the table's order. */
  public static final List<Setting<?>> ALL = List.copyOf(TABLE);

  private final String section;
  private final String flag;
  private final String oldFlag;
  private final String defaultText;
  private final T defaultValue;
  private final Function<String, T> parser;
  private final String help;

  private Setting(String section, String flag, String oldFlag, String defaultText, T defaultValue,
      Function<String, T> parser, String help) {
    this.section = section;
    this.flag = flag;
    this.oldFlag = oldFlag;
    this.defaultText = defaultText;
    this.defaultValue = defaultValue;
    this.parser = parser;
    this.help = help;
    TABLE.add(this);
  }

  private static <T> Setting<T> add(String section, String flag, String dflt, Function<String, T> parser,
      String help) {
    return new Setting<>(section, flag, null, dflt, parser.apply(dflt), parser, help);
  }

  /** A setting etcd 3.5 named oldFlag, a name etcd 3.6 still takes but deprecates. */
  private static <T> Setting<T> renamed(String oldFlag, String section, String flag, String dflt,
      Function<String, T> parser, String help) {
    return new Setting<>(section, flag, oldFlag, dflt, parser.apply(dflt), parser, help);
  }

  /** A setting whose default (null) ServerConfig derives from others; dflt says how, for --help. */
  private static <T> Setting<T> derived(String section, String flag, String dflt, Function<String, T> parser,
      String help) {
    return new Setting<>(section, flag, null, dflt, null, parser, help);
  }

  /** The --help section; null for a setting with no flag. */
  public String section() { return section; }
  /** etcd's flag name, also the config-file key. */
  public String flag() { return flag; }
  /** etcd 3.5's name, deprecated by etcd 3.6; null if not renamed. */
  public String oldFlag() { return oldFlag; }
  /** The default as --help shows it. */
  public String defaultText() { return defaultText; }
  /** The value when none is given; null for a derived one. */
  public T defaultValue() { return defaultValue; }
  public String help() { return help; }

  /** The value text (a flag's, variable's or config-file key's) stands for; IllegalArgumentException says why not. */
  public T parse(String text) { return parser.apply(text); }

  @Override
  public String toString() { return flag; }

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

  /** Go's strconv.ParseBool, as etcd reads every boolean: null when v is none of its spellings. */
  public static Boolean goBool(String v) {
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

  private static String emptyNull(String v) {
    return v.isEmpty() ? null : v;
  }

  private static List<String> commaList(String v) {
    return v.isEmpty() ? List.of() : List.of(v.split(","));
  }
}
