package io.vetch.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer dialer with a trusted CA checks the server certificate's SANs against the address it dials, as etcd's Go
 * TLS does: a CA-signed certificate for another address is refused. Certificates are made with openssl.
 */
@ExtendWith(VertxExtension.class)
class TlsTest {
  @TempDir Path dir;

  private void openssl(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), "openssl " + String.join(" ", args) + ": " + out);
  }

  /** A leaf certificate for CN member signed by the test CA, with subjectAltName san. */
  private void leaf(String name, String san) throws Exception {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=member", "-keyout", name + ".key", "-out",
        name + ".csr");
    Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + san + "\nextendedKeyUsage=serverAuth,clientAuth\n");
    openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
        "-extfile", name + ".ext", "-out", name + ".crt");
  }

  private Tls tls(String name) {
    return new Tls(true, dir.resolve(name + ".crt").toString(), dir.resolve(name + ".key").toString(),
        dir.resolve("ca.crt").toString(), true, false, List.of(), "TLS1.2", List.of(), null, null);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** Whether a dialer with the "right" certificate completes a handshake with a server presenting server's. */
  private boolean handshake(Vertx vertx, String server) throws Exception {
    NetServer s = vertx.createNetServer(tls(server).server(new NetServerOptions().setHost("127.0.0.1").setPort(0)))
        .connectHandler(sock -> sock.write("hello"));
    await(s.listen());
    try {
      await(vertx.createNetClient(tls("right").client(new NetClientOptions().setConnectTimeout(5000)))
          .connect(s.actualPort(), "127.0.0.1").compose(sock -> sock.close()));
      return true;
    } catch (ExecutionException e) {
      return false;
    } finally {
      await(s.close());
    }
  }

  @Test
  void aCertificateForAnotherAddressIsRefused(Vertx vertx) throws Exception {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca", "-keyout", "ca.key",
        "-out", "ca.crt");
    leaf("right", "IP:127.0.0.1,DNS:localhost");
    leaf("wrong", "IP:127.0.0.9,DNS:elsewhere.example");
    assertTrue(handshake(vertx, "right"), "the certificate naming 127.0.0.1 is accepted");
    assertEquals(false, handshake(vertx, "wrong"), "the certificate naming 127.0.0.9 is refused");
  }
}
