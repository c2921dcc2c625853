package io.vetch.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the etcdctl scripts in src/test/e2e: etcdctl-kv.sh (the real etcdctl against a real etcd and against
 * bin/vetch; output must match) and etcdctl-cluster.sh (membership changes, move-leader, --cluster endpoints and a
 * leader kill on a bin/vetch cluster, /health on quorum loss) and etcdctl-maintenance.sh (status, health and metrics
 * endpoints, quota and alarms, defrag, snapshot save and restore, auto-compaction) and etcdctl-auth.sh (users,
 * roles, permissions and tokens; output must match real etcd's) and etcdctl-tls.sh (client and peer TLS with
 * openssl-made certificates, client certificate CN as the user, auto-TLS, minimum TLS version), and gateway.sh
 * (the HTTP/JSON gateway with curl: KV, txn and lease answers identical to real etcd's, every other route group
 * checked), and etcd-migration.sh (backups both ways between bin/vetch and a real etcd 3.4: etcdctl snapshot
 * save/status/restore of a vetch member served by etcd, bin/vetch snapshot status/restore of etcd's served by one
 * and by three vetch members, the same history, hashkv, leases, users and roles; damaged files refused).
 */
class EtcdctlE2eIT {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"etcdctl-kv.sh", "etcdctl-cluster.sh", "etcdctl-maintenance.sh", "etcdctl-auth.sh", "etcdctl-tls.sh",
      "gateway.sh", "etcd-migration.sh", "etcdctl-v2.sh"})
  void etcdctlScriptPasses(String script) throws Exception {
    Path out = dir.resolve("e2e.out");
    Process p = new ProcessBuilder(new File("src/test/e2e/" + script).getAbsolutePath())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
    }
    String output = Files.readString(out);
    System.out.println(output);
    assertEquals(0, p.exitValue(), output);
  }
}
