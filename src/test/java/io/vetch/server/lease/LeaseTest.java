package io.vetch.server.lease;

import static io.vetch.testing.Eventually.eventually;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.LeaseGrantRequest;
import io.vetch.api.etcdserverpb.LeaseGrpcClient;
import io.vetch.api.etcdserverpb.LeaseKeepAliveRequest;
import io.vetch.api.etcdserverpb.LeaseKeepAliveResponse;
import io.vetch.api.etcdserverpb.LeaseLeasesRequest;
import io.vetch.api.etcdserverpb.LeaseRevokeRequest;
import io.vetch.api.etcdserverpb.LeaseTimeToLiveRequest;
import io.vetch.api.etcdserverpb.LeaseTimeToLiveResponse;
import io.vetch.api.etcdserverpb.MaintenanceGrpcClient;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.StatusRequest;
import io.vetch.testing.TestMember;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.WriteStream;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leases end to end over real gRPC: grant (server-chosen and client-chosen ids, minimum TTL, duplicates), keys
 * attached by puts, TimeToLive with keys, keep-alive, revoke deleting every attached key in one revision, expiry
 * decided by the leader; and in a 3-member cluster, the leader's loss while leases are live.
 */
@ExtendWith(VertxExtension.class)
class LeaseTest {
  @TempDir Path dir;

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }


  static GrpcStatus statusOf(Future<?> f) throws Exception {
    try {
      await(f);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return ((InvalidStatusException) e.getCause()).actualStatus();
    }
  }

  static PutRequest put(String k, long lease) {
    return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(k)).setValue(ByteString.copyFromUtf8("v"))
        .setLease(lease).build();
  }

  /** Keys under prefix (ending in '/'), or exactly key otherwise; -1 if the read fails. */
  static long count(KVGrpcClient kv, String prefix) {
    RangeRequest.Builder r = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(prefix)).setCountOnly(true);
    if (prefix.endsWith("/")) {
      r.setRangeEnd(ByteString.copyFromUtf8(prefix.substring(0, prefix.length() - 1) + "0"));
    }
    try {
      return await(kv.range(r.build())).getCount();
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void grantAttachKeepAliveRevokeExpire(Vertx vertx) throws Exception {
    try (TestMember m = TestMember.start(vertx, dir.resolve("one"))) {
      GrpcClient grpc = GrpcClient.client(vertx);
      SocketAddress a = SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1");
      KVGrpcClient kv = KVGrpcClient.create(grpc, a);
      LeaseGrpcClient leases = LeaseGrpcClient.create(grpc, a);
      eventually("a leader", () -> count(kv, "x/") == 0);

      long id = await(leases.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build())).getID();
      assertTrue(id > 0, "a server-chosen id is positive");
      assertEquals(2, await(leases.leaseGrant(LeaseGrantRequest.newBuilder().setID(77).setTTL(1).build())).getTTL(),
          "raised to the minimum TTL (1.5 election timeouts, rounded up to 2 s)");
      assertEquals(GrpcStatus.FAILED_PRECONDITION,
          statusOf(leases.leaseGrant(LeaseGrantRequest.newBuilder().setID(77).setTTL(5).build())));
      assertEquals(GrpcStatus.NOT_FOUND, statusOf(kv.put(put("x/none", 999))));

      await(kv.put(put("x/a", id)));
      await(kv.put(put("x/b", id)));
      LeaseTimeToLiveResponse ttl = await(leases.leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id)
          .setKeys(true).build()));
      assertEquals(60, ttl.getGrantedTTL());
      assertTrue(ttl.getTTL() > 55 && ttl.getTTL() <= 60, "remaining " + ttl.getTTL());
      assertEquals(List.of("x/a", "x/b"), ttl.getKeysList().stream().map(ByteString::toStringUtf8).sorted().toList());
      assertEquals(-1, await(leases.leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(12345).build()))
          .getTTL());
      assertEquals(2, await(leases.leaseLeases(LeaseLeasesRequest.getDefaultInstance())).getLeasesCount());

      // Keep-alive: the known lease answers its TTL, an unknown one 0. (The stream opens with a first keep-alive:
      // the client's response stream exists only once the server has answered something.)
      List<LeaseKeepAliveResponse> answers = new CopyOnWriteArrayList<>();
      WriteStream<LeaseKeepAliveRequest>[] out = new WriteStream[1];
      await(leases.leaseKeepAlive((ws, err) -> {
        out[0] = ws;
        ws.write(LeaseKeepAliveRequest.newBuilder().setID(id).build());
      }).map(rs -> rs.handler(answers::add)));
      out[0].write(LeaseKeepAliveRequest.newBuilder().setID(4242).build());
      out[0].write(LeaseKeepAliveRequest.newBuilder().setID(id).build());
      eventually("the keep-alive answers", () -> answers.stream().filter(r -> r.getID() == 4242).count() == 1
          && answers.stream().filter(r -> r.getID() == id).count() >= 1);
      answers.forEach(r -> assertEquals(r.getID() == id ? 60 : 0, r.getTTL(), "TTL for " + r.getID()));
      out[0].end();

      // Revoke deletes both keys in one revision.
      long before = await(kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("x/a")).build()))
          .getHeader().getRevision();
      long after = await(leases.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id).build())).getHeader()
          .getRevision();
      assertEquals(before + 1, after, "both keys deleted at one revision");
      assertEquals(0, count(kv, "x/"));
      assertEquals(GrpcStatus.NOT_FOUND, statusOf(leases.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id)
          .build())));

      // Expiry: a 2 s lease not kept alive is revoked by the leader, its key with it.
      long shortLease = await(leases.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(2).build())).getID();
      await(kv.put(put("x/short", shortLease)));
      assertEquals(1, count(kv, "x/"));
      eventually("the expired lease's key is gone", () -> count(kv, "x/") == 0);
      assertEquals(-1, await(leases.leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(shortLease).build()))
          .getTTL());
    }
  }

  @Test
  void leasesSurviveTheLeadersLossAndExpireOnceOnTheNewLeader(Vertx vertx) throws Exception {
    List<TestMember> members = new ArrayList<>(TestMember.cluster(vertx,
        List.of(dir.resolve("c0"), dir.resolve("c1"), dir.resolve("c2")), b -> b));
    try {
      GrpcClient grpc = GrpcClient.client(vertx);
      List<KVGrpcClient> kv = new ArrayList<>();
      List<LeaseGrpcClient> ls = new ArrayList<>();
      for (TestMember m : members) {
        SocketAddress a = SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1");
        kv.add(KVGrpcClient.create(grpc, a));
        ls.add(LeaseGrpcClient.create(grpc, a));
      }
      eventually("a leader", () -> count(kv.get(0), "c/") == 0);
      long leader = await(MaintenanceGrpcClient.create(grpc, SocketAddress.inetSocketAddress(
          members.get(0).clientPort(), "127.0.0.1")).status(StatusRequest.getDefaultInstance())).getLeader();
      int li = 0;
      while (members.get(li).server().memberId() != leader) {
        li++;
      }
      int survivor = (li + 1) % 3;
      long kept = await(ls.get(survivor).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(4).build())).getID();
      long lapsing = await(ls.get(survivor).leaseGrant(LeaseGrantRequest.newBuilder().setTTL(4).build())).getID();
      await(kv.get(survivor).put(put("c/kept", kept)));
      long lastPut = await(kv.get(survivor).put(put("c/lapsing", lapsing))).getHeader().getRevision();
      // Keep one lease alive through a follower (forwarded to whichever member leads) while the leader dies.
      WriteStream<LeaseKeepAliveRequest>[] out = new WriteStream[1];
      List<LeaseKeepAliveResponse> answers = new CopyOnWriteArrayList<>();
      await(ls.get(survivor).leaseKeepAlive((ws, err) -> {
        out[0] = ws;
        ws.write(LeaseKeepAliveRequest.newBuilder().setID(kept).build());
      }).map(rs -> rs.handler(answers::add)));
      long timer = vertx.setPeriodic(500, t -> {
        if (out[0] != null) {
          out[0].write(LeaseKeepAliveRequest.newBuilder().setID(kept).build());
        }
      });
      try {
        members.get(li).close();
        KVGrpcClient alive = kv.get(survivor);
        eventually("the lapsing lease's key is deleted by the new leader", () -> count(alive, "c/lapsing") == 0);
        Thread.sleep(6000); // longer than the TTL: the kept-alive one must still be there
        assertEquals(1, count(alive, "c/kept"), "the lease kept alive through the leader change survives");
        assertTrue(answers.stream().allMatch(r -> r.getTTL() == 4), "keep-alives answered with the TTL");
        long rev = await(alive.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("c/kept")).build()))
            .getHeader().getRevision();
        assertEquals(lastPut + 1, rev, "the expired lease was revoked exactly once (one deletion revision)");
      } finally {
        vertx.cancelTimer(timer);
      }
    } finally {
      for (TestMember m : members) {
        try {
          m.close();
        } catch (Exception e) {
          // the killed leader
        }
      }
    }
  }
}
