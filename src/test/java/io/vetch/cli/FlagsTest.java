package io.vetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.server.config.ServerConfig;
import io.vetch.server.config.Setting;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlagsTest {

  private static Command.Serve serve(Map<String, String> env, String... args) throws FlagException {
    return assertInstanceOf(Command.Serve.class, Flags.parse(args, env));
  }

  private static ServerConfig cfg(String... args) throws FlagException {
    return serve(Map.of(), args).config();
  }

  private static FlagException error(Map<String, String> env, String... args) {
    return assertThrows(FlagException.class, () -> Flags.parse(args, env));
  }

  @Test
  void defaultsAreEtcds() throws Exception {
    ServerConfig c = cfg();
    assertEquals("default", c.name());
    assertEquals(Path.of("default.vetch"), c.dataDir());
    assertEquals(List.of(URI.create("http://127.0.0.1:2379")), c.listenClientUrls());
    assertEquals(List.of(URI.create("http://127.0.0.1:2379")), c.advertiseClientUrls());
    assertEquals(List.of(URI.create("http://127.0.0.1:2380")), c.listenPeerUrls());
    assertEquals(List.of(URI.create("http://127.0.0.1:2380")), c.initialAdvertisePeerUrls());
    assertEquals(Map.of("default", List.of(URI.create("http://127.0.0.1:2380"))), c.initialCluster());
    assertEquals("new", c.initialClusterState());
    assertTrue(c.isNewCluster());
    assertEquals("etcd-cluster", c.initialClusterToken());
    assertEquals(100_000, c.snapshotCount());
    assertEquals(100, c.heartbeatIntervalMs());
    assertEquals(1000, c.electionTimeoutMs());
    assertEquals(10, c.electionTicks());
    assertEquals(1_572_864, c.maxRequestBytes());
    assertEquals(128, c.maxTxnOps());
    assertEquals(0, c.quotaBackendBytes());
    assertEquals(2L << 30, c.effectiveQuotaBackendBytes());
    assertEquals("info", c.logLevel());
    assertEquals(List.of(), c.listenMetricsUrls());
  }

  @Test
  void nameDerivesDataDirAndInitialCluster() throws Exception {
    ServerConfig c = cfg("--name", "m1", "--initial-advertise-peer-urls", "http://127.0.0.1:2480");
    assertEquals(Path.of("m1.vetch"), c.dataDir());
    assertEquals(Map.of("m1", List.of(URI.create("http://127.0.0.1:2480"))), c.initialCluster());
  }

  @Test
  void allFlagSyntaxesAreAccepted() throws Exception {
    ServerConfig c = cfg("--name", "a", "-data-dir=/tmp/x", "--snapshot-count=7", "-max-txn-ops", "9",
        "--initial-advertise-peer-urls=http://127.0.0.1:2380", "--");
    assertEquals("a", c.name());
    assertEquals(Path.of("/tmp/x"), c.dataDir());
    assertEquals(7, c.snapshotCount());
    assertEquals(9, c.maxTxnOps());
  }

  @Test
  void repeatedFlagKeepsLastValue() throws Exception {
    assertEquals(5, cfg("--snapshot-count", "4", "--snapshot-count", "5").snapshotCount());
  }

  @Test
  void initialClusterParsesInOrder() throws Exception {
    ServerConfig c = cfg("--name", "m2", "--initial-advertise-peer-urls", "http://127.0.0.1:2382",
        "--initial-cluster", "m1=http://127.0.0.1:2380,m2=http://127.0.0.1:2382,m1=http://127.0.0.2:2380",
        "--initial-cluster-state", "existing");
    assertEquals(List.of("m1", "m2"), List.copyOf(c.initialCluster().keySet()));
    assertEquals(List.of(URI.create("http://127.0.0.1:2380"), URI.create("http://127.0.0.2:2380")),
        c.initialCluster().get("m1"));
    assertEquals(List.of(URI.create("http://127.0.0.1:2382")), c.initialCluster().get("m2"));
    assertEquals("existing", c.initialClusterState());
  }

  @Test
  void initialClusterMustNameThisMember() {
    FlagException e = error(Map.of(), "--name", "m3", "--initial-cluster", "m1=http://127.0.0.1:2380");
    assertEquals(FlagException.INVALID_CONFIG, e.exitCode());
    assertEquals("failed to verify flags: couldn't find local name \"m3\" in the initial cluster configuration",
        e.getMessage());
  }

  @Test
  void initialClusterMustMatchAdvertisedPeerUrlsForNewCluster() {
    FlagException e = error(Map.of(), "--name", "m1", "--initial-cluster", "m1=http://127.0.0.1:9999");
    assertEquals(FlagException.INVALID_CONFIG, e.exitCode());
    assertTrue(e.getMessage().contains("--initial-cluster has m1=http://127.0.0.1:9999 but missing from "
        + "--initial-advertise-peer-urls=http://127.0.0.1:2380"), e.getMessage());
  }

  @Test
  void malformedInitialClusterIsAUsageError() {
    FlagException e = error(Map.of(), "--initial-cluster", "m1");
    assertEquals(FlagException.USAGE, e.exitCode());
    assertTrue(e.getMessage().startsWith("invalid value \"m1\" for flag --initial-cluster"), e.getMessage());
  }

  @Test
  void electionTimeoutMustBeFiveHeartbeats() {
    FlagException e = error(Map.of(), "--heartbeat-interval", "250", "--election-timeout", "1000");
    assertEquals(FlagException.INVALID_CONFIG, e.exitCode());
    assertEquals("failed to verify flags: --election-timeout[1000ms] should be at least as 5 times as "
        + "--heartbeat-interval[250ms]", e.getMessage());
  }

  @Test
  void electionTimeoutBounds() throws Exception {
    assertEquals(5, cfg("--heartbeat-interval", "200", "--election-timeout", "1000").electionTicks());
    assertTrue(error(Map.of(), "--election-timeout", "60000", "--heartbeat-interval", "1000").getMessage()
        .contains("--election-timeout[60000ms] is too long, and should be set less than 50000ms"));
    assertTrue(error(Map.of(), "--heartbeat-interval", "0").getMessage()
        .contains("--heartbeat-interval must be >0 (set to 0ms)"));
  }

  @Test
  void unknownFlag() {
    FlagException e = error(Map.of(), "--name", "x", "--foo", "1");
    assertEquals(FlagException.USAGE, e.exitCode());
    assertEquals("unknown flag --foo", e.getMessage());
    assertEquals("unknown flag --bar", error(Map.of(), "-bar=1").getMessage());
  }

  @Test
  void badValuesNameTheFlag() {
    FlagException e = error(Map.of(), "--snapshot-count", "abc");
    assertEquals(FlagException.USAGE, e.exitCode());
    assertEquals("invalid value \"abc\" for flag --snapshot-count: not an unsigned integer", e.getMessage());
    assertEquals("invalid value \"-1\" for flag --max-txn-ops: not an unsigned integer",
        error(Map.of(), "--max-txn-ops=-1").getMessage());
    assertTrue(error(Map.of(), "--initial-cluster-state", "old").getMessage()
        .contains("for flag --initial-cluster-state: valid values are new, existing"));
    assertTrue(error(Map.of(), "--log-level", "loud").getMessage().contains("for flag --log-level"));
  }

  @Test
  void badUrls() {
    assertTrue(error(Map.of(), "--listen-peer-urls", "tcp://127.0.0.1:2380").getMessage()
        .endsWith("URL scheme must be http or https: tcp://127.0.0.1:2380"));
    assertTrue(error(Map.of(), "--initial-advertise-peer-urls", "http://127.0.0.1").getMessage()
        .endsWith("URL address does not have the form \"host:port\": http://127.0.0.1"));
    assertTrue(error(Map.of(), "--initial-advertise-peer-urls", "http://h:1/p").getMessage()
        .endsWith("URL must not contain a path: http://h:1/p"));
    FlagException bind = error(Map.of(), "--listen-peer-urls", "http://example.com:2380");
    assertEquals(FlagException.INVALID_CONFIG, bind.exitCode());
    assertTrue(bind.getMessage().endsWith("expected IP in URL for binding (http://example.com:2380)"));
  }

  @Test
  void listenClientUrlsNeedAdvertiseClientUrls() throws Exception {
    FlagException e = error(Map.of(), "--listen-client-urls", "http://127.0.0.1:3379");
    assertEquals("failed to verify flags: --advertise-client-urls is required when --listen-client-urls "
        + "is set explicitly", e.getMessage());
    ServerConfig c = cfg("--listen-client-urls", "http://127.0.0.1:3379,http://[::1]:3379",
        "--advertise-client-urls", "http://127.0.0.1:3379");
    assertEquals(2, c.listenClientUrls().size());
  }

  @Test
  void missingValueAndPositionalArguments() {
    assertEquals("flag needs an argument: --name", error(Map.of(), "--name").getMessage());
    assertEquals("'serve' is not a valid flag", error(Map.of(), "serve").getMessage());
    assertEquals("'x' is not a valid flag", error(Map.of(), "--", "x").getMessage());
    assertEquals("bad flag syntax: ---name", error(Map.of(), "---name").getMessage());
  }

  @Test
  void helpAndVersion() throws Exception {
    assertInstanceOf(Command.Help.class, Flags.parse(new String[] {"--help"}, Map.of()));
    assertInstanceOf(Command.Help.class, Flags.parse(new String[] {"-h"}, Map.of()));
    assertInstanceOf(Command.Help.class, Flags.parse(new String[] {"--version", "--help"}, Map.of()));
    assertInstanceOf(Command.Version.class, Flags.parse(new String[] {"--name", "x", "-version"}, Map.of()));
    assertInstanceOf(Command.Serve.class, Flags.parse(new String[] {"--version=false"}, Map.of()));
    assertEquals("invalid boolean value \"yes\" for flag --version",
        error(Map.of(), "--version=yes").getMessage());
  }

  @Test
  void usageListsEveryFlagWithDefault() {
    String usage = Flags.usage();
    for (FlagTable.Flag f : FlagTable.ALL) {
      if (f.name().equals("h")) continue;
      assertTrue(usage.contains("  --" + f.name()), f.name());
      assertTrue(usage.contains(f.description()), f.name());
    }
    assertTrue(usage.contains("--heartbeat-interval '100'"));
    assertTrue(usage.contains("--quota-backend-bytes '0'"));
  }

  @Test
  void environmentVariables() throws Exception {
    Command.Serve s = serve(Map.of("ETCD_NAME", "envname", "ETCD_SNAPSHOT_COUNT", "42",
        "ETCD_INITIAL_CLUSTER_TOKEN", "tok", "ETCD_BOGUS", "1", "PATH", "/bin"));
    assertEquals("envname", s.config().name());
    assertEquals(Path.of("envname.vetch"), s.config().dataDir());
    assertEquals(42, s.config().snapshotCount());
    assertEquals("tok", s.config().initialClusterToken());
    assertEquals(List.of("unrecognized environment variable ETCD_BOGUS"), s.warnings());
  }

  @Test
  void flagWinsOverEnvironment() throws Exception {
    Command.Serve s = serve(Map.of("ETCD_NAME", "envname", "ETCD_DATA_DIR", "/env/dir"), "--name", "flagname");
    assertEquals("flagname", s.config().name());
    assertEquals(Path.of("/env/dir"), s.config().dataDir());
    assertEquals(List.of("recognized environment variable ETCD_NAME, but unused: shadowed by corresponding flag"),
        s.warnings());
  }

  @Test
  void badEnvironmentValueNamesTheVariable() {
    FlagException e = error(Map.of("ETCD_HEARTBEAT_INTERVAL", "fast"));
    assertEquals(FlagException.USAGE, e.exitCode());
    assertEquals("invalid value \"fast\" for environment variable ETCD_HEARTBEAT_INTERVAL: not an unsigned integer",
        e.getMessage());
  }

  @Test
  void configFileOverridesFlagsAndEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("vetch.conf.yml");
    Files.writeString(file, String.join("\n",
        "# a comment",
        "name: 'm1'",
        "data-dir: \"/data/m1\"   # trailing comment",
        "heartbeat-interval: 50",
        "initial-cluster: m1=http://127.0.0.1:2380,m2=http://127.0.0.1:2382",
        "listen-metrics-urls:",
        "enable-pprof: false",
        "client-transport-security:",
        "  cert-file: /x.pem   # the client side",
        "  client-cert-auth: true",
        "peer-transport-security:",
        "  key-file: '/p.key'",
        "  allowed-cn: m1,m2",
        "log-outputs:",
        "  - stderr",
        ""));
    Command.Serve s = serve(Map.of("ETCD_NAME", "envname", "ETCD_SNAPSHOT_COUNT", "5"),
        "--config-file", file.toString(), "--name", "flagname", "--heartbeat-interval", "100");
    ServerConfig c = s.config();
    assertEquals("m1", c.name());
    assertEquals(Path.of("/data/m1"), c.dataDir());
    assertEquals(50, c.heartbeatIntervalMs());
    assertEquals(5, c.snapshotCount());
    assertEquals(List.of("m1", "m2"), List.copyOf(c.initialCluster().keySet()));
    assertEquals(List.of(), c.listenMetricsUrls());
    assertEquals(List.of(
        "recognized environment variable ETCD_NAME, but unused: shadowed by corresponding flag",
        "ignoring unsupported key 'enable-pprof' in --config-file " + file,
        "ignoring unsupported key 'log-outputs' in --config-file " + file), s.warnings());
    Map<String, String> keys = ConfigFile.read(file);
    assertEquals("/x.pem", keys.get("cert-file"));
    assertEquals("true", keys.get("client-cert-auth"));
    assertEquals("/p.key", keys.get("peer-key-file"));
    assertEquals("m1,m2", keys.get("peer-cert-allowed-cn"));
  }

  @Test
  void configFileFromEnvironmentAndItsErrors(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("c.yml");
    Files.writeString(file, "snapshot-count: many\n");
    FlagException e = error(Map.of("ETCD_CONFIG_FILE", file.toString()));
    assertEquals("invalid value \"many\" for key 'snapshot-count' in --config-file " + file
        + ": not an unsigned integer", e.getMessage());
    Files.writeString(file, "name m1\n");
    assertTrue(error(Map.of(), "--config-file", file.toString()).getMessage().contains("line 1: expected 'key: value'"));
    assertEquals(FlagException.USAGE, error(Map.of(), "--config-file", dir.resolve("missing").toString()).exitCode());
    Files.writeString(file, "peer-transport-security:\n  crl-file: /x\n");
    assertTrue(error(Map.of(), "--config-file", file.toString()).getMessage()
        .contains("line 2: unsupported key 'crl-file' in peer-transport-security"));
  }

  @Test
  void sampleConfigFileHoldsEveryKeyAtItsDefault() throws Exception {
    Path sample = Path.of("conf/vetch.yml");
    Command.Serve s = serve(Map.of(), "--config-file", sample.toString());
    assertEquals(cfg().toString(), s.config().toString());
    assertEquals(List.of(), s.warnings());
    Map<String, String> keys = ConfigFile.read(sample);
    for (FlagTable.Flag f : FlagTable.ALL) {
      if (f.setter() != null && f.replacedBy() == null) assertTrue(keys.containsKey(f.name()), f.name());
    }
  }

  /** Each setting with a flag, given its default text as flag, ETCD_ variable and config-file key, keeps its default. */
  @Test
  void everySettingHasAFlagAVariableAConfigKeyAndAHelpLine(@TempDir Path dir) throws Exception {
    String usage = Flags.usage();
    ServerConfig defaults = cfg();
    String advertise = "http://127.0.0.1:2379"; // required once listen-client-urls is given
    for (Setting<?> s : Setting.ALL) {
      if (s.section() == null) {
        assertTrue(FlagTable.find(s.flag()).isEmpty(), s.flag());
        continue;
      }
      assertTrue(usage.contains("\n  --" + s.flag()) && usage.contains(s.help()), s.flag());
      assertTrue(s.oldFlag() == null || FlagTable.find(s.oldFlag()).isPresent(), s.flag());
      if (s.defaultValue() == null) continue; // derived: --help shows how, not flag text
      String text = s.defaultText();
      String env = "ETCD_" + s.flag().toUpperCase().replace('-', '_');
      Map<String, String> vars = new java.util.HashMap<>(Map.of("ETCD_ADVERTISE_CLIENT_URLS", advertise));
      vars.put(env, text);
      Command.Serve flag = serve(Map.of(), "--advertise-client-urls", advertise, "--" + s.flag() + "=" + text);
      Command.Serve file = yaml(dir, "advertise-client-urls: " + advertise, s.flag() + ": '" + text + "'");
      for (Command.Serve c : List.of(flag, serve(vars), file)) {
        assertEquals(defaults.get(s), c.config().get(s), s.flag());
        assertTrue(c.warnings().stream().noneMatch(w -> w.contains("unrecognized") || w.contains("unsupported")),
            s.flag() + " " + c.warnings());
      }
    }
  }

  @Test
  void durationsAreGoDurations() {
    assertEquals(600_000, Setting.durationMs("10m"));
    assertEquals(90_500, Setting.durationMs("1m30.5s"));
    assertEquals(250, Setting.durationMs("250ms"));
    assertThrows(IllegalArgumentException.class, () -> Setting.durationMs("10"));
    assertThrows(IllegalArgumentException.class, () -> Setting.durationMs("1mx"));
  }

  @Test
  void autoCompactionRetentionHasEtcdsMeanings() throws Exception {
    assertEquals(0, cfg().autoCompactionRetention());
    assertEquals(2 * 3_600_000L, cfg("--auto-compaction-retention", "2").autoCompactionRetention(), "hours");
    assertEquals(90_000, cfg("--auto-compaction-retention=1m30s").autoCompactionRetention());
    assertEquals(1000, cfg("--auto-compaction-mode", "revision", "--auto-compaction-retention", "1000")
        .autoCompactionRetention());
    assertEquals(1, error(Map.of(), "--auto-compaction-mode", "revision", "--auto-compaction-retention", "1h")
        .exitCode());
    assertEquals(2, error(Map.of(), "--auto-compaction-mode", "hourly").exitCode());
  }

  @Test
  void booleanFlagsTakeNoValueOrOne() throws Exception {
    assertEquals(false, cfg().initialCorruptCheck());
    assertEquals(true, cfg("--experimental-initial-corrupt-check").initialCorruptCheck());
    assertEquals(false, cfg("--experimental-initial-corrupt-check=false").initialCorruptCheck());
    assertEquals(true, serve(Map.of("ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK", "true")).config().initialCorruptCheck());
    assertEquals(300_000, cfg("--experimental-corrupt-check-time", "5m").corruptCheckTimeMs());
  }

  // etcd 3.6's names (issue 21): the 3.5 names vetch had, their 3.6 spellings, and --feature-gates.

  private static final String CCT_WARNING = "--experimental-corrupt-check-time is deprecated in v3.6 and will be "
      + "decommissioned in v3.7. Use '--corrupt-check-time' instead.";
  private static final String WPN_WARNING = "--experimental-watch-progress-notify-interval is deprecated in v3.6 and "
      + "will be decommissioned in v3.7. Use '--watch-progress-notify-interval' instead.";
  private static final String ICC_WARNING = "--experimental-initial-corrupt-check is deprecated in v3.6 and will be "
      + "decommissioned in v3.7. Use '--feature-gates=InitialCorruptCheck=true' instead.";

  private static Command.Serve yaml(Path dir, String... lines) throws Exception {
    Path file = dir.resolve("c.yml");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return serve(Map.of(), "--config-file", file.toString());
  }

  private static FlagException yamlError(Path dir, String... lines) throws Exception {
    Path file = dir.resolve("c.yml");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return error(Map.of(), "--config-file", file.toString());
  }

  @Test
  void newNamesSetWhatTheOldOnesSet(@TempDir Path dir) throws Exception {
    for (String name : List.of("corrupt-check-time", "experimental-corrupt-check-time")) {
      String env = "ETCD_" + name.toUpperCase().replace('-', '_');
      assertEquals(90_000, cfg("--" + name, "1m30s").corruptCheckTimeMs(), name);
      assertEquals(90_000, serve(Map.of(env, "1m30s")).config().corruptCheckTimeMs(), env);
      assertEquals(90_000, yaml(dir, name + ": 1m30s").config().corruptCheckTimeMs(), name);
    }
    for (String name : List.of("watch-progress-notify-interval", "experimental-watch-progress-notify-interval")) {
      String env = "ETCD_" + name.toUpperCase().replace('-', '_');
      assertEquals(500, cfg("--" + name + "=500ms").watchProgressNotifyIntervalMs(), name);
      assertEquals(500, serve(Map.of(env, "500ms")).config().watchProgressNotifyIntervalMs(), env);
      assertEquals(500, yaml(dir, name + ": 500ms").config().watchProgressNotifyIntervalMs(), name);
    }
    assertEquals(600_000, cfg().watchProgressNotifyIntervalMs());
    assertEquals(0, cfg().corruptCheckTimeMs());
    assertEquals(true, cfg("--feature-gates", "InitialCorruptCheck=true").initialCorruptCheck());
    assertEquals(true, serve(Map.of("ETCD_FEATURE_GATES", "InitialCorruptCheck=true")).config().initialCorruptCheck());
    assertEquals(true, yaml(dir, "feature-gates: InitialCorruptCheck=true,StopGRPCServiceOnDefrag=true").config()
        .initialCorruptCheck());
    assertEquals(true, yaml(dir, "experimental-initial-corrupt-check: true").config().initialCorruptCheck());
    assertEquals("invalid value \"5 minutes\" for flag --corrupt-check-time: invalid duration \"5 minutes\"",
        error(Map.of(), "--corrupt-check-time", "5 minutes").getMessage());
    assertEquals("failed to verify flags: --watch-progress-notify-interval must be >0",
        error(Map.of(), "--watch-progress-notify-interval=0s").getMessage());
  }

  @Test
  void oldNamesWarnOnceAsEtcd36(@TempDir Path dir) throws Exception {
    assertEquals(List.of(), serve(Map.of("ETCD_CORRUPT_CHECK_TIME", "1m"), "--watch-progress-notify-interval=1m",
        "--feature-gates=InitialCorruptCheck=true").warnings());
    assertEquals(List.of(WPN_WARNING, ICC_WARNING, CCT_WARNING),
        serve(Map.of(), "--experimental-corrupt-check-time=1m", "--experimental-initial-corrupt-check",
            "--experimental-watch-progress-notify-interval=1m").warnings());
    assertEquals(List.of("recognized environment variable ETCD_EXPERIMENTAL_CORRUPT_CHECK_TIME, but unused: shadowed "
        + "by corresponding flag", CCT_WARNING), serve(Map.of("ETCD_EXPERIMENTAL_CORRUPT_CHECK_TIME", "2m"),
            "--experimental-corrupt-check-time=1m", "--experimental-corrupt-check-time=3m").warnings());
    assertEquals(List.of(ICC_WARNING), serve(Map.of("ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK", "false")).warnings());
    assertEquals(List.of(WPN_WARNING), yaml(dir, "experimental-watch-progress-notify-interval: 1m").warnings());
  }

  @Test
  void oldAndNewNameTogetherIsAnError(@TempDir Path dir) throws Exception {
    String cct = "failed to verify flags: cannot set --experimental-corrupt-check-time and --corrupt-check-time at "
        + "the same time, please use --corrupt-check-time only";
    FlagException e = error(Map.of(), "--experimental-corrupt-check-time=1m", "--corrupt-check-time=1m");
    assertEquals(FlagException.INVALID_CONFIG, e.exitCode());
    assertEquals(cct, e.getMessage());
    assertEquals(cct, error(Map.of("ETCD_EXPERIMENTAL_CORRUPT_CHECK_TIME", "1m"), "--corrupt-check-time=1m")
        .getMessage());
    assertEquals(cct, yamlError(dir, "corrupt-check-time: 1m", "experimental-corrupt-check-time: 2m").getMessage());
    assertEquals("failed to verify flags: cannot set --experimental-watch-progress-notify-interval and "
        + "--watch-progress-notify-interval at the same time, please use --watch-progress-notify-interval only",
        error(Map.of("ETCD_WATCH_PROGRESS_NOTIFY_INTERVAL", "1m",
            "ETCD_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL", "1m")).getMessage());

    FlagException g = error(Map.of(), "--experimental-initial-corrupt-check", "--feature-gates",
        "StopGRPCServiceOnDefrag=true,InitialCorruptCheck=false");
    assertEquals(FlagException.INVALID_CONFIG, g.exitCode());
    assertEquals("failed to verify flags: cannot specify both flags: --experimental-initial-corrupt-check=true and "
        + "--feature-gates=InitialCorruptCheck=false at the same time, please just use "
        + "--feature-gates=InitialCorruptCheck=false", g.getMessage());
    assertTrue(error(Map.of("ETCD_FEATURE_GATES", "AllAlpha=true"), "--experimental-initial-corrupt-check=0")
        .getMessage().contains("--experimental-initial-corrupt-check=false and --feature-gates=InitialCorruptCheck=true"),
        "AllAlpha sets the gate, as etcd");
    assertTrue(yamlError(dir, "experimental-initial-corrupt-check: true", "feature-gates: InitialCorruptCheck=true")
        .getMessage().contains("cannot specify both flags"));
    // Another gate is no conflict: the old flag keeps its meaning.
    assertEquals(true, cfg("--experimental-initial-corrupt-check", "--feature-gates=StopGRPCServiceOnDefrag=true")
        .initialCorruptCheck());
  }

  @Test
  void configFileKeyReplacesTheOtherSpellingFromFlagsAndEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("c.yml");
    Files.writeString(file, "corrupt-check-time: 2m\nexperimental-watch-progress-notify-interval: 3m\n");
    Command.Serve s = serve(Map.of("ETCD_WATCH_PROGRESS_NOTIFY_INTERVAL", "1m"),
        "--config-file", file.toString(), "--experimental-corrupt-check-time=1m");
    assertEquals(120_000, s.config().corruptCheckTimeMs());
    assertEquals(180_000, s.config().watchProgressNotifyIntervalMs());
    assertEquals(List.of(WPN_WARNING), s.warnings());
  }

  @Test
  void featureGatesParseAsEtcds() throws Exception {
    assertEquals(false, cfg("--feature-gates=").initialCorruptCheck());
    assertEquals(true, cfg("--feature-gates= InitialCorruptCheck = T ,,").initialCorruptCheck());
    assertEquals(false, cfg("--feature-gates=InitialCorruptCheck=true,InitialCorruptCheck=0").initialCorruptCheck());
    assertEquals(true, cfg("--feature-gates=AllAlpha=true").initialCorruptCheck());
    assertEquals(false, cfg("--feature-gates=AllAlpha=true,InitialCorruptCheck=false").initialCorruptCheck());
    assertEquals(false, cfg("--feature-gates=AllBeta=true").initialCorruptCheck());
    assertEquals(false, cfg("--feature-gates", "CompactHashCheck=true,StopGRPCServiceOnDefrag=true,"
        + "TxnModeWriteWithSharedBuffer=false,LeaseCheckpoint=true,LeaseCheckpointPersist=true,"
        + "SetMemberLocalAddr=false,AllBeta=false").initialCorruptCheck());
    assertEquals(Map.of("AllBeta", true, "TxnModeWriteWithSharedBuffer", true), FeatureGates.parse("AllBeta=1"));
  }

  @Test
  void malformedFeatureGatesAreUsageErrors(@TempDir Path dir) throws Exception {
    FlagException e = error(Map.of(), "--feature-gates", "InitialCorruptCheck=true,Bogus=true");
    assertEquals(FlagException.USAGE, e.exitCode());
    assertEquals("invalid value \"InitialCorruptCheck=true,Bogus=true\" for flag --feature-gates: "
        + "unrecognized feature gate: Bogus", e.getMessage());
    assertEquals("invalid value \"InitialCorruptCheck\" for flag --feature-gates: missing bool value for "
        + "InitialCorruptCheck", error(Map.of(), "--feature-gates=InitialCorruptCheck").getMessage());
    assertEquals("invalid value \"InitialCorruptCheck=yes\" for environment variable ETCD_FEATURE_GATES: "
        + "invalid value of InitialCorruptCheck=yes, err: strconv.ParseBool: parsing \"yes\": invalid syntax",
        error(Map.of("ETCD_FEATURE_GATES", "InitialCorruptCheck=yes")).getMessage());
    assertTrue(yamlError(dir, "feature-gates: initialcorruptcheck=true").getMessage()
        .endsWith("in --config-file " + dir.resolve("c.yml") + ": unrecognized feature gate: initialcorruptcheck"));
  }

  @Test
  void usageListsNewNamesAndOldOnesAsDeprecated() {
    String usage = Flags.usage();
    for (String n : List.of("corrupt-check-time '0s'", "watch-progress-notify-interval '10m'", "feature-gates ''")) {
      assertTrue(usage.contains("\n  --" + n + "\n"), n);
    }
    assertTrue(usage.contains("  --experimental-corrupt-check-time '0s'\n    Duration of time between cluster "
        + "corruption check passes. Deprecated in v3.6 and will be decommissioned in v3.7. Use '--corrupt-check-time' "
        + "instead.\n"), usage);
    assertTrue(usage.contains("Use '--watch-progress-notify-interval' instead."));
    assertTrue(usage.contains("  --experimental-initial-corrupt-check\n    Enable to check data corruption before "
        + "serving any client/peer traffic. Deprecated in v3.6 and will be decommissioned in v3.7. "
        + "Use '--feature-gates=InitialCorruptCheck=true' instead.\n"));
    assertTrue(usage.contains("\n    AllAlpha=true|false (ALPHA - default=false)\n    AllBeta=true|false (BETA - "
        + "default=false)\n    CompactHashCheck=true|false (ALPHA - default=false)\n"));
    assertTrue(usage.contains("\n    TxnModeWriteWithSharedBuffer=true|false (BETA - default=true)\n"));
  }
}
