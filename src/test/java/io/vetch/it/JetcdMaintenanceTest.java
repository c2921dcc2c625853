package io.vetch.it;

import org.junit.jupiter.api.Test;

/** etcd's Maintenance API through the real Java etcd client (jetcd) against an in-process single-member server. */
class JetcdMaintenanceTest extends JetcdHarness {
  @Test
  void statusHashDefragSnapshot() throws Throwable {
    run("MaintenanceScenarios", "statusHashDefragSnapshot");
  }
}
