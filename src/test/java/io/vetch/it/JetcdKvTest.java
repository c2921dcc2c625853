package io.vetch.it;

import org.junit.jupiter.api.Test;

/** etcd's KV API through the real Java etcd client (jetcd) against an in-process single-member server. */
class JetcdKvTest extends JetcdHarness {
  @Test
  void putGetRevisions() throws Throwable {
    run("KvScenarios", "putGetRevisions");
  }

  @Test
  void prefixLimitSort() throws Throwable {
    run("KvScenarios", "prefixLimitSort");
  }

  @Test
  void txn() throws Throwable {
    run("KvScenarios", "txn");
  }

  @Test
  void compaction() throws Throwable {
    run("KvScenarios", "compaction");
  }

  @Test
  void memberListAndStatus() throws Throwable {
    run("KvScenarios", "memberListAndStatus");
  }

  @Test
  void errors() throws Throwable {
    run("KvScenarios", "errors");
  }
}
