package io.vetch.it.jetcd;

import static io.vetch.it.jetcd.KvScenarios.b;
import static io.vetch.it.jetcd.KvScenarios.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Lease scenarios run by jetcd against a vetch endpoint (in jetcd's own class loader; see IsolatedJetcd). */
public final class LeaseScenarios {
  private LeaseScenarios() {}

  /** Grant, attach keys, TimeToLive with keys, keep-alive once, revoke deleting the keys. */
  public static void grantKeepAliveRevoke(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      long id = get(c.getLeaseClient().grant(30)).getID();
      get(c.getKVClient().put(b("jl/a"), b("1"), PutOption.builder().withLeaseId(id).build()));
      get(c.getKVClient().put(b("jl/b"), b("2"), PutOption.builder().withLeaseId(id).build()));
      LeaseTimeToLiveResponse ttl = get(c.getLeaseClient().timeToLive(id, LeaseOption.builder().withAttachedKeys()
          .build()));
      assertEquals(30, ttl.getGrantedTTL());
      assertTrue(ttl.getTTL() > 25, "remaining " + ttl.getTTL());
      assertEquals(2, ttl.getKeys().size());
      assertEquals(30, get(c.getLeaseClient().keepAliveOnce(id)).getTTL());
      get(c.getLeaseClient().revoke(id));
      assertEquals(0, get(c.getKVClient().get(b("jl/a"))).getCount());
      assertEquals(0, get(c.getKVClient().get(b("jl/b"))).getCount());
      assertEquals(-1, get(c.getLeaseClient().timeToLive(id, LeaseOption.DEFAULT)).getTTL());
    }
  }

  /** A put naming a missing lease, and a revoke of one, fail with etcd's "requested lease not found". */
  public static void unknownLease(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      expectLeaseNotFound(() -> get(c.getKVClient().put(b("jl/x"), b("1"),
          PutOption.builder().withLeaseId(0x1234abcdL).build())));
      expectLeaseNotFound(() -> get(c.getLeaseClient().revoke(0x1234abcdL)));
    }
  }

  /** A short lease not kept alive expires, and its key with it. */
  public static void expiry(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      long id = get(c.getLeaseClient().grant(2)).getID();
      get(c.getKVClient().put(b("jl/short"), b("s"), PutOption.builder().withLeaseId(id).build()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (get(c.getKVClient().get(b("jl/short"))).getCount() == 1) {
        if (System.nanoTime() > deadline) {
          fail("the key of an expired lease is still there");
        }
        Thread.sleep(100);
      }
    }
  }

  interface Call {
    void run() throws Exception;
  }

  private static void expectLeaseNotFound(Call call) throws Exception {
    try {
      call.run();
      fail("expected 'requested lease not found'");
    } catch (ExecutionException e) {
      assertTrue(String.valueOf(e.getCause().getMessage()).contains("requested lease not found"),
          String.valueOf(e.getCause()));
    }
  }
}
