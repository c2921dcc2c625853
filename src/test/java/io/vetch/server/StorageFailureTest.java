package io.vetch.server;

import static io.vetch.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.failpoint.Failpoints;
import io.vetch.testing.TestMember;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The storage failure policy, driven by failpoints (README, "When the disk fails"): a failed WAL write or fsync,
 * store write, snapshot write or member-file write makes the member refuse writes and linearizable reads at once
 * with UNAVAILABLE naming the cause, serve serializable reads, report it on /health, /readyz, Status and /metrics;
 * a leader hands leadership on and the cluster keeps writing; once the probe succeeds the member reopens itself in
 * place, and every acknowledged write is there.
 */
@ExtendWith(VertxExtension.class)
class StorageFailureTest {
  private static final Map<String, String> OPERATION = Map.of(
      Failpoints.WAL_WRITE, "wal write",
      Failpoints.WAL_FSYNC, "wal fsync",
      Failpoints.STORE_WRITE, "store write",
      Failpoints.STORE_FSYNC, "store fsync",
      Failpoints.SNAP_WRITE, "snapshot write",
      Failpoints.MEMBER_FILE_WRITE, "member file write");

  @TempDir
  Path dir;

  @AfterEach
  void off() {
    Failpoints.clear();
  }

  @ParameterizedTest
  @ValueSource(strings = {Failpoints.WAL_WRITE, Failpoints.WAL_FSYNC, Failpoints.STORE_WRITE, Failpoints.STORE_FSYNC,
      Failpoints.SNAP_WRITE, Failpoints.MEMBER_FILE_WRITE})
  void aFailedStorageRefusesWritesAtOnceServesSerializableReadsAndReopens(String point, Vertx vertx)
      throws Exception {
    Path data = dir.resolve(point);
    try (TestMember m = TestMember.start(vertx, data, b -> b.snapshotCount(20));
        FaultClient c = new FaultClient(vertx)) {
      int port = m.clientPort();
      for (int i = 0; i < 10; i++) {
        assertTrue(c.put(port, "k" + i, "v" + i).ok());
      }
      Path backend = io.vetch.mvcc.backend.BackendDir.resolve(data.resolve("member/store"));
      // the "disk" stays failed (the probe fails too) until the test gives it back
      Failpoints.set(Failpoints.STORAGE_PROBE, "error(ENOSPC)@" + data);
      Failpoints.set(point, "error(ENOSPC)@" + data);
      String expected = "etcdserver: storage failure: no space left on device (" + OPERATION.get(point) + ")";
      FaultClient.Reply failed = null;
      String failedKey = null;
      if (point.equals(Failpoints.MEMBER_FILE_WRITE)) {
        failed = c.leaseGrant(port, 60); // the lessor persists member/leases
      } else {
        for (int i = 10; i < 40 && failed == null; i++) { // a snapshot comes within snapshot-count entries
          FaultClient.Reply r = c.put(port, "k" + i, "v" + i);
          failed = r.ok() ? null : r;
          failedKey = "k" + i;
        }
      }
      assertNotNull(failed, "a write failed");
      assertEquals("14", failed.status(), failed.message());
      assertEquals(expected, failed.message());
      assertNotNull(m.server().storageFailure());

      FaultClient.Reply next = c.put(port, "refused", "x");
      assertEquals("14", next.status());
      assertEquals(expected, next.message());
      assertTrue(next.millis() < 1000, "refused at once, not after a timeout: " + next.millis() + " ms");
      FaultClient.Reply lin = c.range(port, "k0", false);
      assertEquals("14", lin.status());
      assertEquals(expected, lin.message());
      FaultClient.Reply ser = c.range(port, "k0", true);
      assertTrue(ser.ok(), "serializable reads go on");
      assertEquals("v0", FaultClient.parseRange(ser).getKvs(0).getValue().toStringUtf8());
      // a lone member applies a put while its WAL write runs: one whose WAL write failed was never seen
      boolean walFailed = point.equals(Failpoints.WAL_WRITE) || point.equals(Failpoints.WAL_FSYNC);
      if (walFailed) {
        assertEquals(0, FaultClient.parseRange(c.range(port, failedKey, true)).getKvsCount(), failedKey);
      }
      assertReported(c, port, expected);

      Failpoints.set(point, "off");
      Failpoints.set(Failpoints.STORAGE_PROBE, "off"); // space is back: the probe succeeds, the member reopens
      eventually("the member reopened", () -> m.server().reopens() == 1 && m.server().storageFailure() == null);
      eventually("writes are taken again", () -> {
        try {
          return c.put(port, "after", "reopen").ok();
        } catch (Exception e) {
          return false;
        }
      });
      assertEquals(c.acked.size(), c.checkAcked(port));
      if (walFailed) {
        assertEquals(0, FaultClient.parseRange(c.range(port, failedKey, true)).getKvsCount(), "not after the reopen");
      }
      // after a store fsync failure the store is copied to fresh files: pages whose write-back failed are rewritten
      assertEquals(point.equals(Failpoints.STORE_FSYNC),
          !backend.equals(io.vetch.mvcc.backend.BackendDir.resolve(data.resolve("member/store"))));
      System.out.println(point + ": " + c.acked.size() + " acknowledged writes checked after the reopen; refused in "
          + next.millis() + " ms with " + expected);
      assertEquals(200, c.get(port, "/health").status());
      assertTrue(c.get(port, "/metrics").body().contains("vetch_storage_failed 0"));
    }
    // and a plain restart from the directory the reopen left keeps them too
    try (TestMember m = TestMember.start(vertx, data, b -> b.snapshotCount(20));
        FaultClient c2 = new FaultClient(vertx)) {
      c2.acked.putAll(Map.of("k0", "v0", "after", "reopen"));
      c2.checkAcked(m.clientPort());
    }
  }

  /** /health, /readyz, Maintenance.Status (through the gateway), /metrics and the gateway's put all say it. */
  static void assertReported(FaultClient c, int port, String expected) throws Exception {
    String reason = expected.substring("etcdserver: storage failure: ".length());
    FaultClient.Http health = c.get(port, "/health");
    assertEquals(503, health.status());
    assertTrue(health.body().contains("\"reason\":\"STORAGE FAILURE: " + reason + "\""), health.body());
    FaultClient.Http readyz = c.get(port, "/readyz");
    assertEquals(503, readyz.status());
    assertTrue(readyz.body().contains("[+]serializable_read ok\n[-]linearizable_read failed: " + expected),
        readyz.body());
    FaultClient.Http status = c.post(port, "/v3/maintenance/status", "{}");
    assertEquals(200, status.status());
    assertTrue(status.body().contains(expected), status.body());
    FaultClient.Http metrics = c.get(port, "/metrics");
    assertTrue(metrics.body().contains("vetch_storage_failed 1"), "vetch_storage_failed 1");
    assertTrue(metrics.body().matches("(?s).*etcd_server_health_failures_total [1-9].*"), "health failures counted");
    FaultClient.Http put = c.post(port, "/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmFy\"}");
    assertEquals(503, put.status(), put.body());
    assertTrue(put.body().contains("\"message\":\"" + expected + "\""), put.body());
    assertTrue(put.body().contains("\"code\":14"), put.body());
  }

  @Test
  void aLeaderWhoseStorageFailsHandsOverAndTheClusterKeepsWriting(Vertx vertx) throws Exception {
    List<Path> dirs = List.of(dir.resolve("c0"), dir.resolve("c1"), dir.resolve("c2"));
    List<TestMember> members = TestMember.cluster(vertx, dirs, b -> b);
    try (FaultClient c = new FaultClient(vertx)) {
      eventually("a leader", () -> members.get(0).server().status().leader() != 0);
      long leaderId = members.get(0).server().status().leader();
      int l = indexOf(members, leaderId);
      TestMember leader = members.get(l);
      TestMember other = members.get((l + 1) % 3);
      for (int i = 0; i < 20; i++) {
        assertTrue(c.put(leader.clientPort(), "a" + i, "v" + i).ok());
      }
      Failpoints.set(Failpoints.STORAGE_PROBE, "error(EIO)@" + dirs.get(l));
      Failpoints.set(Failpoints.WAL_FSYNC, "error(EIO)@" + dirs.get(l));
      String expected = "etcdserver: storage failure: input/output error (wal fsync)";
      long t0 = System.nanoTime();
      FaultClient.Reply failed = c.put(leader.clientPort(), "during", "x");
      assertEquals("14", failed.status());
      assertEquals(expected, failed.message());
      eventually("another member leads", () -> {
        long lead = other.server().status().leader();
        return lead != 0 && lead != leaderId;
      });
      long handoverMs = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(handoverMs < 5000, "leadership moved in " + handoverMs + " ms");
      for (int i = 0; i < 20; i++) {
        FaultClient.Reply r = c.put(other.clientPort(), "b" + i, "v" + i);
        assertTrue(r.ok(), "the cluster keeps writing: " + r.message());
      }
      FaultClient.Reply refused = c.put(leader.clientPort(), "refused", "x");
      assertEquals(expected, refused.message());
      assertTrue(refused.millis() < 1000, refused.millis() + " ms");
      assertTrue(c.range(leader.clientPort(), "a0", true).ok(), "serializable reads on the failed member go on");
      assertReported(c, leader.clientPort(), expected);
      assertNotEquals(leaderId, other.server().status().leader());

      Failpoints.clear(); // the disk works again
      eventually("the old leader reopened", () -> leader.server().reopens() == 1);
      eventually("the old leader caught up", () -> {
        try {
          FaultClient.Reply r = c.range(leader.clientPort(), "b19", true);
          return r.ok() && FaultClient.parseRange(r).getKvsCount() == 1;
        } catch (Exception e) {
          return false;
        }
      });
      assertTrue(c.put(leader.clientPort(), "after", "reopen").ok(), "it takes writes again (forwarded)");
      for (TestMember m : members) {
        eventually("member caught up", () -> {
          try {
            return FaultClient.parseRange(c.range(m.clientPort(), "after", true)).getKvsCount() == 1;
          } catch (Exception e) {
            return false;
          }
        });
        assertEquals(c.acked.size(), c.checkAcked(m.clientPort()));
      }
      System.out.println("leader of 3: handed over in " + handoverMs + " ms; " + c.acked.size()
          + " acknowledged writes checked on each member");
    } finally {
      for (TestMember m : members) {
        m.close();
      }
    }
  }

  @Test
  void aFollowerWhoseStorageFailsStopsTakingPart(Vertx vertx) throws Exception {
    List<Path> dirs = List.of(dir.resolve("f0"), dir.resolve("f1"), dir.resolve("f2"));
    List<TestMember> members = TestMember.cluster(vertx, dirs, b -> b);
    try (FaultClient c = new FaultClient(vertx)) {
      eventually("a leader", () -> members.get(0).server().status().leader() != 0);
      long leaderId = members.get(0).server().status().leader();
      int l = indexOf(members, leaderId);
      int f = (l + 1) % 3;
      TestMember leader = members.get(l);
      TestMember follower = members.get(f);
      assertTrue(c.put(leader.clientPort(), "before", "x").ok());
      Failpoints.set(Failpoints.STORAGE_PROBE, "error(EROFS)@" + dirs.get(f));
      Failpoints.set(Failpoints.WAL_WRITE, "error(EROFS)@" + dirs.get(f));
      String expected = "etcdserver: storage failure: read-only file system (wal write)";
      for (int i = 0; i < 30; i++) { // the follower fails on the first entry it must persist; the leader goes on
        assertTrue(c.put(leader.clientPort(), "w" + i, "v" + i).ok());
      }
      eventually("the follower failed", () -> follower.server().storageFailure() != null);
      assertEquals(expected, c.put(follower.clientPort(), "refused", "x").message());
      assertEquals(leaderId, leader.server().status().leader(), "the leader kept leading");
      assertReported(c, follower.clientPort(), expected);
      long commit = leader.server().status().commitIndex();
      Thread.sleep(1500); // several election timeouts: a follower still taking part would campaign or ack
      assertEquals(leaderId, leader.server().status().leader());
      assertTrue(leader.server().status().term() == follower.server().status().term(), "it never campaigned");
      assertTrue(leader.server().status().commitIndex() >= commit);

      Failpoints.clear();
      eventually("the follower reopened", () -> follower.server().reopens() == 1);
      for (TestMember m : members) {
        eventually("caught up", () -> {
          try {
            return FaultClient.parseRange(c.range(m.clientPort(), "w29", true)).getKvsCount() == 1;
          } catch (Exception e) {
            return false;
          }
        });
        assertEquals(c.acked.size(), c.checkAcked(m.clientPort()));
      }
    } finally {
      for (TestMember m : members) {
        m.close();
      }
    }
  }

  /**
   * After the probe passes, the WAL is cut back to its last good fsync before the member reopens; a cut-back that
   * fails is tried again instead of reopening onto bytes whose fsync failed (still in the page cache). While failed,
   * the member names no leader and refuses lease keep-alives (answering them from its own lessor would tell the
   * client its lease lives while the leader lets it expire).
   */
  @Test
  void aCutBackThatFailsIsTriedAgainAndKeepAlivesAreRefused(Vertx vertx) throws Exception {
    Path data = dir.resolve("cutback");
    try (TestMember m = TestMember.start(vertx, data); FaultClient c = new FaultClient(vertx)) {
      int port = m.clientPort();
      for (int i = 0; i < 5; i++) {
        assertTrue(c.put(port, "k" + i, "v" + i).ok());
      }
      long lease = io.vetch.api.etcdserverpb.LeaseGrantResponse.parseFrom(c.leaseGrant(port, 60).body()).getID();
      byte[] keepAlive = io.vetch.api.etcdserverpb.LeaseKeepAliveRequest.newBuilder().setID(lease).build()
          .toByteArray();
      assertTrue(c.call(port, "/etcdserverpb.Lease/LeaseKeepAlive", keepAlive).ok());
      Failpoints.set(Failpoints.STORAGE_PROBE, "error(EIO)@" + data);
      Failpoints.set(Failpoints.WAL_FSYNC, "error(EIO)@" + data);
      String expected = "etcdserver: storage failure: input/output error (wal fsync)";
      assertEquals(expected, c.put(port, "during", "x").message()); // written to the WAL, its fsync failed
      FaultClient.Reply refused = c.call(port, "/etcdserverpb.Lease/LeaseKeepAlive", keepAlive);
      assertEquals("14", refused.status());
      assertEquals(expected, refused.message());
      FaultClient.Http gateway = c.post(port, "/v3/lease/keepalive", "{\"ID\":" + lease + "}");
      assertTrue(gateway.body().contains(expected), gateway.body());
      assertEquals(0, m.server().status().leader(), "a member that takes no part in Raft names no leader");

      Failpoints.set(Failpoints.WAL_WRITE, "1*error(EIO)@" + data); // the first cut-back fails
      Failpoints.set(Failpoints.WAL_FSYNC, "off");
      Failpoints.set(Failpoints.STORAGE_PROBE, "off");
      long fired = Failpoints.fired();
      eventually("the member reopened", () -> m.server().reopens() == 1 && m.server().storageFailure() == null);
      assertTrue(Failpoints.fired() > fired, "the first cut-back failed");
      FaultClient.Reply during = c.range(port, "during", true);
      assertTrue(during.ok());
      assertEquals(0, FaultClient.parseRange(during).getKvsCount(), "an entry whose fsync failed is not read back");
      assertEquals(c.acked.size(), c.checkAcked(port));
      eventually("keep-alives work again", () -> {
        try {
          return c.call(port, "/etcdserverpb.Lease/LeaseKeepAlive", keepAlive).ok();
        } catch (Exception e) {
          return false;
        }
      });
    }
  }

  /** A member closed while it reopens itself: the close waits for the reopen and closes what it opened. */
  @Test
  void aCloseDuringAReopenClosesWhatTheReopenOpens(Vertx vertx) throws Exception {
    Path data = dir.resolve("close");
    TestMember m = TestMember.start(vertx, data);
    try (FaultClient c = new FaultClient(vertx)) {
      assertTrue(c.put(m.clientPort(), "k", "v").ok());
      Failpoints.set(Failpoints.STORAGE_PROBE, "error(EIO)@" + data);
      Failpoints.set(Failpoints.WAL_FSYNC, "error(EIO)@" + data);
      assertEquals("14", c.put(m.clientPort(), "x", "y").status());
      Failpoints.clear();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!m.server().reopening()) { // the reopen takes a while (undeploy, open the WAL and store, deploy)
        assertTrue(System.nanoTime() < deadline, "a reopen started");
        Thread.onSpinWait();
      }
    } finally {
      m.close();
    }
    assertTrue(vertx.deploymentIDs().isEmpty(), "nothing deployed after close: " + vertx.deploymentIDs());
    try (TestMember again = m.restart(); FaultClient c = new FaultClient(vertx)) { // its ports and files are free
      assertTrue(c.put(again.clientPort(), "after", "close").ok());
    }
  }

  @Test
  void aReopenThatFailsIsFatal(Vertx vertx) throws Exception {
    Path data = dir.resolve("fatal");
    try (TestMember m = TestMember.start(vertx, data); FaultClient c = new FaultClient(vertx)) {
      for (int i = 0; i < 10; i++) {
        assertTrue(c.put(m.clientPort(), "k" + i, "v" + i).ok());
      }
      Failpoints.set(Failpoints.STORAGE_PROBE, "error(EIO)@" + data);
      Failpoints.set(Failpoints.WAL_FSYNC, "error(EIO)@" + data);
      assertEquals("14", c.put(m.clientPort(), "x", "y").status());
      Path segment;
      try (var files = java.nio.file.Files.list(data.resolve("member/wal"))) {
        segment = files.filter(p -> p.toString().endsWith(".wal")).sorted().findFirst().orElseThrow();
      }
      byte[] bytes = java.nio.file.Files.readAllBytes(segment);
      bytes[100] ^= 1; // damage inside an early record: opening the WAL refuses it
      java.nio.file.Files.write(segment, bytes);
      Failpoints.clear();
      eventually("the reopen failed", () -> m.server().fatal().failed());
      assertTrue(m.server().fatal().cause().getMessage().contains(segment.getFileName().toString()),
          m.server().fatal().cause().getMessage());
      // The store, opened beside the WAL, was closed before the failure was reported: nothing still writes in the
      // data directory (CI once failed to remove it while the store was still being opened).
      assertTrue(Thread.getAllStackTraces().keySet().stream()
          .noneMatch(t -> t.getName().equals("vetch-store-open") && t.isAlive()), "the store is still being opened");
    }
  }

  static int indexOf(List<TestMember> members, long id) {
    for (int i = 0; i < members.size(); i++) {
      if (members.get(i).server().memberId() == id) {
        return i;
      }
    }
    throw new AssertionError("no member " + Long.toHexString(id));
  }
}
