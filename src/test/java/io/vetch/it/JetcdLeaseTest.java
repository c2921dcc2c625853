package io.vetch.it;

import org.junit.jupiter.api.Test;

/** etcd's Lease API through the real Java etcd client (jetcd) against an in-process single-member server. */
class JetcdLeaseTest extends JetcdHarness {
  @Test
  void grantKeepAliveRevoke() throws Throwable {
    run("LeaseScenarios", "grantKeepAliveRevoke");
  }

  @Test
  void unknownLease() throws Throwable {
    run("LeaseScenarios", "unknownLease");
  }

  @Test
  void expiry() throws Throwable {
    run("LeaseScenarios", "expiry");
  }
}
