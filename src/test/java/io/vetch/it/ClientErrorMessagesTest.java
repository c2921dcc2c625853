package io.vetch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.testing.TestMember;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.junit5.VertxExtension;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's error messages through clients other than Java's, against an in-process member (issue 21): each client
 * must see etcd's exact code and message for a lease not found, a role that exists, a compacted revision and a
 * denied permission, as it does from etcd itself (the expected lines are what these scripts print against etcd).
 *
 * <ul>
 *   <li>The Node etcd3 client (src/test/node, on grpc-js): grpc-js only decodeURI()s grpc-message, so a ':' sent
 *       as %3A stays %3A, and etcd3, which picks its error class from the message, then throws GRPCNotFoundError
 *       instead of EtcdLeaseInvalidError (and its Lease.revoke() of a lease already gone throws instead of
 *       resolving). This test fails when grpc-message is percent-encoded beyond what gRPC requires.
 *   <li>Python grpcio (src/test/python, Debian's /usr/bin/python3 with python3-grpcio and python3-etcd3): its
 *       C core decodes every valid %XX, so it showed etcd's text even before the fix; it checks codes and messages
 *       through a second real client.
 * </ul>
 *
 * node and npm come with the machine (bin/test installs Debian's when they are missing); the npm packages are
 * installed from src/test/node/package-lock.json on the first run. A missing tool fails the test, never skips it.
 */
@ExtendWith(VertxExtension.class)
class ClientErrorMessagesTest {
  private static final Path NODE_DIR = Path.of("src/test/node");
  private static final String PYTHON = "/usr/bin/python3";

  @TempDir Path dir;

  @Test
  void nodeEtcd3ClientSeesEtcdsErrorsAsItsOwnErrorClasses(Vertx vertx) throws Exception {
    npmCi();
    try (TestMember m = serving(vertx)) {
      assertEquals(List.of(
          "lease-not-found\tEtcdLeaseInvalidError\t"
              + "Lease 5 NOT_FOUND: etcdserver: requested lease not found is expired or revoked",
          "lease-revoke-again\tresolved",
          "role-exists\tEtcdRoleExistsError\t9 FAILED_PRECONDITION: etcdserver: role name already exists",
          "compacted\tGRPCOutOfRangeError\t11 OUT_OF_RANGE: etcdserver: mvcc: required revision has been compacted",
          "permission-denied\tEtcdPermissionDeniedError\t7 PERMISSION_DENIED: etcdserver: permission denied"),
          run(List.of("node", "errors.js", "127.0.0.1:" + m.clientPort()), NODE_DIR, 30));
    }
  }

  @Test
  void pythonGrpcioSeesEtcdsCodesAndMessages(Vertx vertx) throws Exception {
    assertTrue(new File(PYTHON).canExecute(), PYTHON + " is missing: bin/test installs python3-grpcio and "
        + "python3-etcd3 (which bring it)");
    try (TestMember m = serving(vertx)) {
      assertEquals(List.of(
          "lease-not-found\tNOT_FOUND\tetcdserver: requested lease not found",
          "role-exists\tFAILED_PRECONDITION\tetcdserver: role name already exists",
          "compacted\tOUT_OF_RANGE\tetcdserver: mvcc: required revision has been compacted",
          "permission-denied\tPERMISSION_DENIED\tetcdserver: permission denied"),
          run(List.of(PYTHON, new File("src/test/python/errors.py").getAbsolutePath(), "127.0.0.1:" + m.clientPort()),
              Path.of("."), 30));
    }
  }

  /** A fresh member (each script enables auth at its end) that has served a Put. */
  private TestMember serving(Vertx vertx) throws Exception {
    TestMember m = TestMember.start(vertx, dir.resolve("data"), b -> b.bcryptCost(4));
    KVGrpcClient kv = KVGrpcClient.create(GrpcClient.client(vertx),
        SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1"));
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("ready"))
            .setValue(ByteString.copyFromUtf8("1")).build()).toCompletionStage().toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
        return m;
      } catch (Exception e) {
        if (System.nanoTime() > until) {
          m.close();
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  /** Installs the Node packages from the lock file when node_modules is missing or older than it. */
  private void npmCi() throws Exception {
    Path installed = NODE_DIR.resolve("node_modules/.package-lock.json");
    if (Files.exists(installed) && Files.getLastModifiedTime(installed).compareTo(
        Files.getLastModifiedTime(NODE_DIR.resolve("package-lock.json"))) >= 0) {
      return;
    }
    run(List.of("npm", "ci", "--no-audit", "--no-fund"), NODE_DIR, 180);
  }

  /** Runs command in cwd; its standard output's lines (it must exit 0 within timeoutSeconds). */
  private List<String> run(List<String> command, Path cwd, int timeoutSeconds) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p;
    try {
      p = new ProcessBuilder(command).directory(cwd.toFile()).redirectOutput(out.toFile())
          .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    } catch (IOException e) {
      throw new AssertionError(command.get(0) + " cannot be run (bin/test installs node, npm and Debian's python3 "
          + "packages when they are missing): " + e.getMessage(), e);
    }
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail(command + " still running after " + timeoutSeconds + " s; output:\n" + Files.readString(out)
          + "\nerrors:\n" + Files.readString(err));
    }
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), () -> command + " failed; output:\n" + stdout + "\nerrors:\n" + read(err));
    return stdout.lines().toList();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
