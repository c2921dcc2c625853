package io.vetch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vetch.testing.TestMember;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * python-etcd (Debian's python3-etcd, a client of etcd's v2 API) against a member started with --enable-v2:
 * src/test/python/v2client.py writes, reads, compares and swaps, deletes, uses in-order keys, TTLs (expiry and
 * refresh) and watches (wait, waitIndex, recursive, eternal_watch), and reads members, leader, machines and stats.
 * Its lines must be the ones it prints against a real etcd 3.4.23 with --enable-v2.
 */
@ExtendWith(VertxExtension.class)
class V2PythonClientTest {
  private static final String PYTHON = "/usr/bin/python3";
  @TempDir Path dir;

  @Test
  void pythonEtcdWorksAsAgainstEtcd(Vertx vertx) throws Exception {
    assertTrue(new File(PYTHON).canExecute(), PYTHON + " is missing: bin/test installs python3-etcd (which brings it)");
    try (TestMember m = TestMember.start(vertx, dir.resolve("data"), b -> b.enableV2(true))) {
      Path out = dir.resolve("out.txt");
      Path err = dir.resolve("err.txt");
      Process p = new ProcessBuilder(PYTHON, new File("src/test/python/v2client.py").getAbsolutePath(),
          "127.0.0.1:" + m.clientPort()).redirectOutput(out.toFile()).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), () -> "v2client.py failed; output:\n" + stdout + "\nerrors:\n" + read(err));
      assertEquals(List.of(
          "write\t/py/a\t1\tset\tTrue",
          "overwrite\t2\t1\tFalse",
          "read\t2\t2",
          "missing\tEtcdKeyNotFound",
          "create-existing\tEtcdAlreadyExist",
          "update-missing\tEtcdKeyNotFound",
          "cas\t3\tcompareAndSwap",
          "cas-wrong\tEtcdCompareFailed",
          "cas-index\t5",
          "cas-index-old\tEtcdCompareFailed",
          "update\t7",
          "tree\t['/py/a', '/py/dir/x', '/py/dir/y/z']",
          "dir-not-empty\tEtcdDirNotEmpty",
          "not-a-file\tEtcdNotFile",
          "delete-recursive\tdelete",
          "in-order\tTrue\t['job1', 'job2']",
          "pop\tjob1",
          "cad-wrong\tEtcdCompareFailed",
          "cad\tcompareAndDelete",
          "ttl\tTrue\tTrue",
          "refresh\tt\tTrue",
          "expired\tEtcdKeyNotFound",
          "watch\tset\tchanged",
          "watch-index\t1\t2",
          "watch-recursive\t/py/rw/deep/k\tv",
          "eternal-watch\t['0', '1', '2']",
          "members\t1\tTrue",
          "machines\t1",
          "stats\t['id', 'leaderInfo', 'name', 'recvAppendRequestCnt', 'sendAppendRequestCnt', 'startTime', 'state']"
              + "\tTrue",
          "version\tTrue"), stdout.lines().toList(), () -> "errors:\n" + read(err));
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
