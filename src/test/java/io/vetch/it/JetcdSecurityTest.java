package io.vetch.it;

import io.vetch.server.config.Setting;
import io.vetch.testing.IsolatedJetcd;
import io.vetch.testing.TestMember;
import io.vertx.core.Vertx;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** jetcd against a member serving https with auth: user/password logins over TLS checked against a CA file. */
@ExtendWith(VertxExtension.class)
class JetcdSecurityTest {
  @TempDir Path dir;

  @Test
  void authOverTls(Vertx vertx) throws Throwable {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    int port = TestMember.freePort();
    URI url = URI.create("https://localhost:" + port);
    try (TestMember m = TestMember.start(vertx, dir, b -> {
      b.listenClientUrls(List.of(url)).advertiseClientUrls(List.of(url)).bcryptCost(4);
      return b.set(Setting.CERT_FILE, cert.certificatePath()).set(Setting.KEY_FILE, cert.privateKeyPath());
    })) {
      IsolatedJetcd.run("io.vetch.it.jetcd.SecurityScenarios", "authOverTls", url + "|" + cert.certificatePath());
    } finally {
      cert.delete();
    }
  }
}
