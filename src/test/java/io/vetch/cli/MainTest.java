package io.vetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) {
    return Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() { return out.toString(StandardCharsets.UTF_8); }
  private String err() { return err.toString(StandardCharsets.UTF_8); }

  @Test
  void helpGoesToStdoutAndExitsZero() {
    assertEquals(0, run(Map.of(), "--help"));
    assertTrue(out().startsWith("Usage:"), out());
    assertTrue(out().contains("--initial-cluster 'default=http://127.0.0.1:2380'"));
    assertTrue(out().contains("  --corrupt-check-time '0s'\n"), out());
    assertTrue(out().contains("  --feature-gates ''\n"), out());
    assertEquals("", err());
  }

  @Test
  void versionGoesToStdoutAndExitsZero() {
    assertEquals(0, run(Map.of(), "--version"));
    assertTrue(out().startsWith("vetch Version: 0.1.0\nAPI version: 3.5\nJava version: "
        + System.getProperty("java.version")), out());
    assertEquals("", err());
  }

  @Test
  void unknownFlagExitsTwoWithUsageHint() {
    assertEquals(2, run(Map.of(), "--foo"));
    assertEquals("", out());
    assertTrue(err().startsWith("vetch: unknown flag --foo\nUsage: vetch [flags]; run 'vetch --help'"), err());
  }

  @Test
  void badValueExitsTwo() {
    assertEquals(2, run(Map.of(), "--snapshot-count", "abc"));
    assertTrue(err().startsWith("vetch: invalid value \"abc\" for flag --snapshot-count"), err());
  }

  @Test
  void failedVerificationExitsOneLikeEtcd() {
    assertEquals(1, run(Map.of("ETCD_HEARTBEAT_INTERVAL", "300")));
    assertTrue(err().startsWith("vetch: failed to verify flags: --election-timeout[1000ms] should be at least"),
        err());
    assertTrue(!err().contains("Usage:"), err());
  }

  @Test
  void bothSpellingsOfARenamedFlagExitOneLikeEtcd() {
    assertEquals(1, run(Map.of("ETCD_CORRUPT_CHECK_TIME", "1m"), "--experimental-corrupt-check-time=2m"));
    assertEquals("vetch: failed to verify flags: cannot set --experimental-corrupt-check-time and "
        + "--corrupt-check-time at the same time, please use --corrupt-check-time only\n", err());
    assertEquals("", out());
  }

  @Test
  void unknownFeatureGateExitsTwo() {
    assertEquals(2, run(Map.of(), "--feature-gates=Foo=true"));
    assertTrue(err().startsWith("vetch: invalid value \"Foo=true\" for flag --feature-gates: unrecognized feature "
        + "gate: Foo\nUsage:"), err());
  }

  @Test
  void memberThatCannotStartExitsOne(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String url = "http://127.0.0.1:" + taken.getLocalPort();
      int code = run(Map.of(), "--name", "m1", "--data-dir", dir.resolve("m1").toString(),
          "--listen-client-urls", url, "--advertise-client-urls", url,
          "--listen-peer-urls", url, "--initial-advertise-peer-urls", url);
      assertEquals(1, code);
    }
  }
}
