package io.vetch.it;

import org.junit.jupiter.api.Test;

/** etcd's Watch API through the real Java etcd client (jetcd) against an in-process single-member server. */
class JetcdWatchTest extends JetcdHarness {
  @Test
  void prefixWithPrevKv() throws Throwable {
    run("WatchScenarios", "prefixWithPrevKv");
  }

  @Test
  void historyAndFilters() throws Throwable {
    run("WatchScenarios", "historyAndFilters");
  }

  @Test
  void compactedStartIsCanceled() throws Throwable {
    run("WatchScenarios", "compactedStartIsCanceled");
  }

  @Test
  void manyWatchersOneKey() throws Throwable {
    run("WatchScenarios", "manyWatchersOneKey");
  }
}
