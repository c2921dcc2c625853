package io.vetch.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vetch.testing.Fuzzing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the member's configuration: {@code configFile} takes the bytes as a {@code --config-file} (etcd's YAML),
 * {@code commandLine} as NUL-separated arguments, those of the form {@code ETCD_NAME=value} going to the environment
 * instead ({@code --config-file} arguments are left out: that target reads files). Both go through
 * {@link Flags#parse} as {@code main} does, and must end in a command or a FlagException (exit 2 or 1 with its
 * message), never in another exception.
 */
class FlagsFuzzTest {
  private static Path dir;

  @BeforeAll
  static void scratch() {
    dir = Fuzzing.scratch("flags");
  }

  @AfterAll
  static void cleanUp() throws IOException {
    Fuzzing.delete(dir);
  }

  @FuzzTest(maxDuration = "10m")
  void configFile(byte[] data) throws IOException {
    Path file = dir.resolve("vetch.yaml");
    Files.write(file, data);
    parse(new String[] {"--config-file", file.toString()}, Map.of());
  }

  @FuzzTest(maxDuration = "10m")
  void commandLine(byte[] data) {
    List<String> args = new ArrayList<>();
    Map<String, String> env = new HashMap<>();
    for (String a : new String(data, StandardCharsets.UTF_8).split("\0", -1)) {
      int eq = a.indexOf('=');
      if (a.startsWith("ETCD_") && eq > 0) {
        env.put(a.substring(0, eq), a.substring(eq + 1));
      } else if (!a.contains("config-file")) {
        args.add(a);
      }
    }
    parse(args.toArray(String[]::new), env);
  }

  private static void parse(String[] args, Map<String, String> env) {
    try {
      Flags.parse(args, env);
    } catch (FlagException e) {
      if (e.exitCode() != FlagException.USAGE && e.exitCode() != FlagException.INVALID_CONFIG) {
        throw new AssertionError("exit code " + e.exitCode(), e);
      }
    }
  }

  static Map<String, Map<String, byte[]>> seeds() {
    String yaml = String.join("\n",
        "# a member of three",
        "name: 'n1'",
        "data-dir: /var/lib/vetch/n1",
        "listen-client-urls: http://10.0.0.1:2379,http://127.0.0.1:2379",
        "advertise-client-urls: \"http://10.0.0.1:2379\"",
        "listen-peer-urls: http://10.0.0.1:2380",
        "initial-advertise-peer-urls: http://10.0.0.1:2380",
        "initial-cluster: n1=http://10.0.0.1:2380,n2=http://10.0.0.2:2380,n3=http://10.0.0.3:2380",
        "initial-cluster-state: new",
        "initial-cluster-token: tok",
        "heartbeat-interval: 100",
        "election-timeout: 1000",
        "snapshot-count: 10000",
        "quota-backend-bytes: 2147483648",
        "auto-compaction-mode: periodic",
        "auto-compaction-retention: 1h",
        "max-request-bytes: 1572864",
        "grpc-keepalive-interval: 2h",
        "feature-gates: StopGRPCServiceOnDefrag=true",
        "log-level: info",
        "client-transport-security:",
        "  cert-file: /etc/vetch/server.crt",
        "  key-file: /etc/vetch/server.key",
        "  client-cert-auth: true",
        "peer-transport-security:",
        "  auto-tls: true",
        "  allowed-cn: member",
        "");
    Map<String, byte[]> lines = new LinkedHashMap<>();
    lines.put("cluster", args("--name", "n2", "--initial-cluster",
        "n1=http://10.0.0.1:2380,n2=http://10.0.0.2:2380", "--initial-advertise-peer-urls=http://10.0.0.2:2380",
        "-listen-peer-urls", "http://10.0.0.2:2380", "--initial-cluster-state=existing", "--snapshot-count=5",
        "--experimental-corrupt-check-time=3m", "--auth-token", "jwt,pub-key=a.pem,priv-key=b.pem,sign-method=RS256",
        "ETCD_QUOTA_BACKEND_BYTES=1000000", "ETCD_UNKNOWN=1"));
    lines.put("tls", args("--cert-file=/c.pem", "--key-file", "/k.pem", "--tls-min-version=TLS1.3",
        "--cipher-suites", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "--client-cert-auth", "--auto-compaction-mode",
        "revision", "--auto-compaction-retention", "1000", "--listen-metrics-urls", "http://127.0.0.1:2381"));
    lines.put("version", args("--version"));
    return Map.of("configFile", Map.of("member", yaml.getBytes(StandardCharsets.UTF_8)), "commandLine", lines);
  }

  private static byte[] args(String... a) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(String.join("\0", a).getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
