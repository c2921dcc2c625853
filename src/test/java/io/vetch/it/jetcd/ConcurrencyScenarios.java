package io.vetch.it.jetcd;

import static io.vetch.it.jetcd.KvScenarios.b;
import static io.vetch.it.jetcd.KvScenarios.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Election;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.election.LeaderResponse;
import io.etcd.jetcd.election.NoLeaderException;
import io.etcd.jetcd.election.NotLeaderException;
import io.etcd.jetcd.lock.LockResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Lock and Election scenarios run by jetcd's lock and election clients against a vetch endpoint. */
public final class ConcurrencyScenarios {
  private ConcurrencyScenarios() {}

  /** One holder at a time: a second Lock waits until the first is unlocked; keys are name/&lt;lease hex&gt;. */
  public static void lockIsExclusive(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      long l1 = get(c.getLeaseClient().grant(60)).getID();
      long l2 = get(c.getLeaseClient().grant(60)).getID();
      LockResponse first = get(c.getLockClient().lock(b("jlock/x"), l1));
      assertEquals("jlock/x/" + Long.toHexString(l1), first.getKey().toString(StandardCharsets.UTF_8));
      CompletableFuture<LockResponse> second = c.getLockClient().lock(b("jlock/x"), l2);
      Thread.sleep(500);
      assertFalse(second.isDone(), "a second holder while the first holds the lock");
      get(c.getLockClient().unlock(first.getKey()));
      LockResponse got = second.get(10, TimeUnit.SECONDS);
      assertEquals("jlock/x/" + Long.toHexString(l2), got.getKey().toString(StandardCharsets.UTF_8));
      assertEquals(1, get(c.getKVClient().get(got.getKey())).getCount());
      assertTrue(got.getHeader().getRevision() > first.getHeader().getRevision());
      get(c.getLockClient().unlock(got.getKey()));
      assertEquals(0, get(c.getKVClient().get(got.getKey())).getCount());
      assertTrue(assertThrows(ExecutionException.class, () -> get(c.getLockClient().lock(b("jlock/y"), 0x7777L)))
          .getMessage().contains("requested lease not found"));
    }
  }

  /**
   * etcd #11456: a waiter whose lease expires while it waits must not be told it holds the lock. Its key goes with
   * the lease; once the holder unlocks, the waiter's Lock fails with "session: session is expired".
   */
  public static void lockWaiterWhoseLeaseExpiresIsNeverGranted(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      long holderLease = get(c.getLeaseClient().grant(60)).getID();
      long shortLease = get(c.getLeaseClient().grant(2)).getID();
      LockResponse holder = get(c.getLockClient().lock(b("jlock/z"), holderLease));
      CompletableFuture<LockResponse> waiter = c.getLockClient().lock(b("jlock/z"), shortLease);
      ByteSequence waiterKey = b("jlock/z/" + Long.toHexString(shortLease));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (get(c.getKVClient().get(waiterKey)).getCount() > 0 || get(c.getLeaseClient().timeToLive(shortLease,
          io.etcd.jetcd.options.LeaseOption.DEFAULT)).getTTL() > 0) {
        assertTrue(System.nanoTime() < deadline, "the short lease never expired");
        Thread.sleep(100);
      }
      assertFalse(waiter.isDone());
      get(c.getLockClient().unlock(holder.getKey()));
      ExecutionException e = assertThrows(ExecutionException.class, () -> waiter.get(10, TimeUnit.SECONDS));
      assertTrue(e.getMessage().contains("session: session is expired"), e.getMessage());
      // The lock is free again: a new holder gets it at once.
      long l3 = get(c.getLeaseClient().grant(60)).getID();
      get(c.getLockClient().unlock(get(c.getLockClient().lock(b("jlock/z"), l3)).getKey()));
    }
  }

  /** Campaign, Leader, Proclaim, Observe, Resign and a second candidate taking over, with etcd's errors. */
  public static void electionLifecycle(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      Election e = c.getElectionClient();
      ByteSequence name = b("jelect/e");
      ExecutionException none = assertThrows(ExecutionException.class, () -> get(e.leader(name)));
      assertTrue(none.getCause() instanceof NoLeaderException, none.toString());
      List<String> observed = new CopyOnWriteArrayList<>();
      e.observe(name, new Election.Listener() {
        @Override public void onNext(LeaderResponse r) {
          observed.add(r.getKv().getValue().toString(StandardCharsets.UTF_8));
        }
        @Override public void onError(Throwable t) { }
        @Override public void onCompleted() { }
      });
      long l1 = get(c.getLeaseClient().grant(60)).getID();
      long l2 = get(c.getLeaseClient().grant(60)).getID();
      CampaignResponse a = get(e.campaign(name, l1, b("a")));
      LeaderKey leaderA = a.getLeader();
      assertEquals("jelect/e/" + Long.toHexString(l1), leaderA.getKey().toString(StandardCharsets.UTF_8));
      assertEquals("a", get(e.leader(name)).getKv().getValue().toString(StandardCharsets.UTF_8));
      CompletableFuture<CampaignResponse> b = e.campaign(name, l2, b("b"));
      get(e.proclaim(leaderA, b("a2")));
      assertEquals("a2", get(e.leader(name)).getKv().getValue().toString(StandardCharsets.UTF_8));
      ExecutionException notLeader = assertThrows(ExecutionException.class, () -> get(e.proclaim(
          new LeaderKey(name, leaderA.getKey(), leaderA.getRevision() + 1000, l1), b("x"))));
      assertTrue(notLeader.getCause() instanceof NotLeaderException, notLeader.toString());
      assertFalse(b.isDone(), "a second leader while the first holds office");
      get(e.resign(leaderA));
      CampaignResponse bWon = b.get(10, TimeUnit.SECONDS);
      assertEquals("b", get(e.leader(name)).getKv().getValue().toString(StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!observed.contains("b")) {
        assertTrue(System.nanoTime() < deadline, "observed only " + observed);
        Thread.sleep(50);
      }
      assertEquals(List.of("a", "a2", "b"), observed);
      get(e.resign(bWon.getLeader()));
    }
  }

  /** A leader whose lease expires loses office: the waiting candidate's Campaign returns. */
  public static void electionLeaderLeaseExpiry(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      Election e = c.getElectionClient();
      ByteSequence name = b("jelect/expiry");
      long shortLease = get(c.getLeaseClient().grant(2)).getID();
      long l2 = get(c.getLeaseClient().grant(60)).getID();
      get(e.campaign(name, shortLease, b("old")));
      CampaignResponse next = e.campaign(name, l2, b("new")).get(15, TimeUnit.SECONDS);
      assertEquals(l2, next.getLeader().getLease());
      assertEquals("new", get(e.leader(name)).getKv().getValue().toString(StandardCharsets.UTF_8));
    }
  }
}
