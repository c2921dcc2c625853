package io.vetch.it;

import io.vetch.testing.IsolatedJetcd;
import io.vetch.testing.TestMember;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An in-process single-member server for one test class, and a way to run a scenario of io.vetch.it.jetcd against
 * it through jetcd (in its own class loader; see IsolatedJetcd).
 */
@ExtendWith(VertxExtension.class)
abstract class JetcdHarness {
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
      member = null;
    }
  }

  /** Runs io.vetch.it.jetcd.&lt;scenarios&gt;.&lt;method&gt;(endpoint). */
  static void run(String scenarios, String method) throws Throwable {
    IsolatedJetcd.run("io.vetch.it.jetcd." + scenarios, method, member.endpoint());
  }
}
