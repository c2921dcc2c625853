package io.vetch.it;

import io.vetch.testing.IsolatedJetcd;
import io.vetch.testing.TestMember;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** etcd's Lease API through the real Java etcd client (jetcd) against an in-process single-member server. */
@ExtendWith(VertxExtension.class)
class JetcdLeaseTest {
  private static final String SCENARIOS = "io.vetch.it.jetcd.LeaseScenarios";
  @TempDir static Path dir;
  static TestMember member;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    member = TestMember.start(vertx, dir.resolve("data"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (member != null) {
      member.close();
    }
  }

  @Test
  void grantKeepAliveRevoke() throws Throwable {
    IsolatedJetcd.run(SCENARIOS, "grantKeepAliveRevoke", member.endpoint());
  }

  @Test
  void unknownLease() throws Throwable {
    IsolatedJetcd.run(SCENARIOS, "unknownLease", member.endpoint());
  }

  @Test
  void expiry() throws Throwable {
    IsolatedJetcd.run(SCENARIOS, "expiry", member.endpoint());
  }
}
