package io.vetch.it;

import org.junit.jupiter.api.Test;

/** etcd's Lock and Election services through jetcd's lock and election clients (in-process single member). */
class JetcdConcurrencyTest extends JetcdHarness {
  @Test
  void lockIsExclusive() throws Throwable {
    run("ConcurrencyScenarios", "lockIsExclusive");
  }

  @Test
  void lockWaiterWhoseLeaseExpiresIsNeverGranted() throws Throwable {
    run("ConcurrencyScenarios", "lockWaiterWhoseLeaseExpiresIsNeverGranted");
  }

  @Test
  void electionLifecycle() throws Throwable {
    run("ConcurrencyScenarios", "electionLifecycle");
  }

  @Test
  void electionLeaderLeaseExpiry() throws Throwable {
    run("ConcurrencyScenarios", "electionLeaderLeaseExpiry");
  }
}
