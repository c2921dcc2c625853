package io.vetch.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.HashKVRequest;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.MaintenanceGrpcClient;
import io.vetch.api.etcdserverpb.MoveLeaderRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RangeResponse;
import io.vetch.api.etcdserverpb.StatusRequest;
import io.vetch.api.etcdserverpb.StatusResponse;
import io.vetch.testing.TestMember;
import io.vetch.testing.VetchProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-member cluster of bin/vetch processes on loopback: writes on any member are read (linearizably) on every
 * other; kill -9 of the leader elects a new one and writes go on; the old leader restarts and catches up, and
 * MoveLeader hands leadership back to it.
 */
class ClusterIT {
  @TempDir Path dir;

  @Test
  void threeMembersSurviveLosingTheLeader() throws Exception {
    Vertx vertx = Vertx.vertx();
    GrpcClient grpc = GrpcClient.client(vertx);
    List<VetchProcess> members = new ArrayList<>();
    int[] client = new int[3];
    int[] peer = new int[3];
    StringBuilder cluster = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      client[i] = TestMember.freePort();
      peer[i] = TestMember.freePort();
      cluster.append(i == 0 ? "" : ",").append("c").append(i).append("=http://127.0.0.1:").append(peer[i]);
    }
    try {
      for (int i = 0; i < 3; i++) {
        VetchProcess p = new VetchProcess("c" + i, dir.resolve("c" + i), dir.resolve("c" + i + ".log"), client[i],
            peer[i], cluster.toString());
        members.add(p);
        p.start();
      }
      List<KVGrpcClient> kv = new ArrayList<>();
      List<MaintenanceGrpcClient> mt = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        SocketAddress a = SocketAddress.inetSocketAddress(client[i], "127.0.0.1");
        kv.add(KVGrpcClient.create(grpc, a));
        mt.add(MaintenanceGrpcClient.create(grpc, a));
      }
      for (int i = 0; i < 3; i++) {
        int m = i;
        eventually(() -> await(kv.get(m).range(range("k/"))), members.get(m));
      }
      // writes on every member, read on every member
      for (int i = 0; i < 30; i++) {
        await(kv.get(i % 3).put(put("k/" + i, "v" + i)));
      }
      for (int i = 0; i < 3; i++) {
        assertEquals(30, await(kv.get(i).range(range("k/"))).getCount(), "member " + i);
      }
      // concurrent linearizable reads on every member: read-index rounds of all members share the leader
      long readsStart = System.nanoTime();
      List<Future<RangeResponse>> reads = new ArrayList<>();
      for (int r = 0; r < 60; r++) {
        reads.add(kv.get(r % 3).range(range("k/")));
      }
      for (Future<RangeResponse> f : reads) {
        assertEquals(30, await(f).getCount());
      }
      long readsMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - readsStart);
      assertTrue(readsMs < 1000, "60 concurrent linearizable reads took " + readsMs + " ms (a lost read-index round?)");
      // all agree on the leader; kill it
      long leader = await(mt.get(0).status(StatusRequest.getDefaultInstance())).getLeader();
      int victim = -1;
      for (int i = 0; i < 3; i++) {
        StatusResponse s = await(mt.get(i).status(StatusRequest.getDefaultInstance()));
        assertEquals(leader, s.getLeader(), "member " + i + " sees another leader");
        if (s.getHeader().getMemberId() == leader) {
          victim = i;
        }
      }
      assertNotEquals(-1, victim);
      members.get(victim).kill9();
      int survivor = (victim + 1) % 3;
      long start = System.nanoTime();
      eventually(() -> await(kv.get(survivor).put(put("after", "kill"))), members.get(survivor));
      long failoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(failoverMs < 15_000, "writes resumed after " + failoverMs + " ms");
      long newLeader = await(mt.get(survivor).status(StatusRequest.getDefaultInstance())).getLeader();
      assertNotEquals(leader, newLeader);
      for (int i = 30; i < 60; i++) {
        await(kv.get(survivor).put(put("k/" + i, "v" + i)));
      }
      // the old leader comes back and catches up
      members.get(victim).start();
      int v = victim;
      RangeResponse caughtUp = eventually(() -> {
        RangeResponse r = await(kv.get(v).range(range("k/")));
        if (r.getCount() != 60) {
          throw new IllegalStateException("has " + r.getCount() + " keys");
        }
        return r;
      }, members.get(victim));
      assertEquals(60, caughtUp.getCount());
      // move leadership back to the restarted member, asking the current leader
      long victimId = await(mt.get(victim).status(StatusRequest.getDefaultInstance())).getHeader().getMemberId();
      int current = indexOf(mt, newLeader);
      await(mt.get(current).moveLeader(MoveLeaderRequest.newBuilder().setTargetID(victimId).build()));
      for (int i = 0; i < 3; i++) {
        assertEquals(victimId, await(mt.get(i).status(StatusRequest.getDefaultInstance())).getLeader());
      }
      // every member hashes the same key-value state at one revision
      long rev = await(kv.get(victim).range(range("k/"))).getHeader().getRevision();
      java.util.Set<Integer> hashes = new java.util.HashSet<>();
      for (int i = 0; i < 3; i++) {
        int m = i;
        hashes.add(eventually(() -> await(mt.get(m).hashKV(HashKVRequest.newBuilder().setRevision(rev).build()))
            .getHash(), members.get(m)));
      }
      assertEquals(1, hashes.size(), "hashkv differs between members: " + hashes);
      int follower = (victim + 1) % 3;
      Exception notLeader = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
          () -> await(mt.get(follower).moveLeader(MoveLeaderRequest.newBuilder().setTargetID(victimId).build())));
      assertTrue(String.valueOf(notLeader.getCause()).contains("FAILED_PRECONDITION"), String.valueOf(notLeader));
      // with two of three members gone the survivor has no leader: a write fails fast instead of hanging
      int survivor2 = follower;
      for (int i = 0; i < 3; i++) {
        if (i != survivor2) {
          members.get(i).kill9();
        }
      }
      Exception noLeader = eventually(() -> {
        try {
          await(kv.get(survivor2).put(put("lonely", "x")));
        } catch (Exception e) {
          if (String.valueOf(e.getCause()).contains("UNAVAILABLE")) {
            return e;
          }
        }
        throw new IllegalStateException("still has a leader");
      }, members.get(survivor2));
      long t0 = System.nanoTime();
      Exception again = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
          () -> await(kv.get(survivor2).put(put("lonely", "y"))));
      assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 1000, "no-leader write took too long");
      assertTrue(String.valueOf(again.getCause()).contains("UNAVAILABLE"), String.valueOf(again) + " / " + noLeader);
      System.out.printf("3 members: leader killed, writes resumed after %d ms, old leader caught up%n", failoverMs);
    } finally {
      for (VetchProcess p : members) {
        p.close();
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  static int indexOf(List<MaintenanceGrpcClient> mt, long memberId) throws Exception {
    for (int i = 0; i < mt.size(); i++) {
      try {
        if (await(mt.get(i).status(StatusRequest.getDefaultInstance())).getHeader().getMemberId() == memberId) {
          return i;
        }
      } catch (Exception e) {
        // a stopped member
      }
    }
    throw new AssertionError("no member " + Long.toHexString(memberId));
  }

  static PutRequest put(String k, String v) {
    return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(k)).setValue(ByteString.copyFromUtf8(v)).build();
  }

  static RangeRequest range(String prefix) {
    return RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(prefix))
        .setRangeEnd(ByteString.copyFromUtf8(prefix.substring(0, prefix.length() - 1) + "0")).build();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static <T> T eventually(Callable<T> c, VetchProcess p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        return c.call();
      } catch (Exception e) {
        last = e;
        Thread.sleep(200);
      }
    }
    throw new AssertionError("gave up; member log ends with:\n" + p.logTail(), last);
  }
}
