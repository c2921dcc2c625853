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

/** etcd's KV API through the real Java etcd client (jetcd) against an in-process single-member server. */
@ExtendWith(VertxExtension.class)
class JetcdKvTest {
  private static final String SCENARIOS = "io.vetch.it.jetcd.KvScenarios";
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
  void putGetRevisions() throws Throwable {
    IsolatedJetcd.run(SCENARIOS, "putGetRevisions", member.endpoint());
  }

  @Test
  void prefixLimitSort() throws Throwable {
    IsolatedJetcd.run(SCENARIOS, "prefixLimitSort", member.endpoint());
  }

  @Test
  void txn() throws Throwable {
    IsolatedJetcd.run(SCENARIOS, "txn", member.endpoint());
  }

  @Test
  void compaction() throws Throwable {
    IsolatedJetcd.run(SCENARIOS, "compaction", member.endpoint());
  }

  @Test
  void unimplementedServicesFailFast() throws Throwable {
    IsolatedJetcd.run(SCENARIOS, "unimplementedServicesFailFast", member.endpoint());
  }

  @Test
  void memberListAndStatus() throws Throwable {
    IsolatedJetcd.run(SCENARIOS, "memberListAndStatus", member.endpoint());
  }

  @Test
  void errors() throws Throwable {
    IsolatedJetcd.run(SCENARIOS, "errors", member.endpoint());
  }
}
