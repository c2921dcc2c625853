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

/** etcd's Watch API through the real Java etcd client (jetcd) against an in-process single-member server. */
@ExtendWith(VertxExtension.class)
class JetcdWatchTest {
  private static final String SCENARIOS = "io.vetch.it.jetcd.WatchScenarios";
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
  void prefixWithPrevKv() throws Throwable {
    IsolatedJetcd.run(SCENARIOS, "prefixWithPrevKv", member.endpoint());
  }

  @Test
  void historyAndFilters() throws Throwable {
    IsolatedJetcd.run(SCENARIOS, "historyAndFilters", member.endpoint());
  }

  @Test
  void compactedStartIsCanceled() throws Throwable {
    IsolatedJetcd.run(SCENARIOS, "compactedStartIsCanceled", member.endpoint());
  }

  @Test
  void manyWatchersOneKey() throws Throwable {
    IsolatedJetcd.run(SCENARIOS, "manyWatchersOneKey", member.endpoint());
  }
}
