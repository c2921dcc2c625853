package io.vetch.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.Compare;
import io.vetch.api.etcdserverpb.LeaseGrantRequest;
import io.vetch.api.etcdserverpb.LeaseKeepAliveRequest;
import io.vetch.api.etcdserverpb.LeaseRevokeRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RequestOp;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.api.etcdserverpb.WatchCreateRequest;
import io.vetch.api.etcdserverpb.WatchResponse;
import io.vetch.api.mvccpb.Event;
import io.vetch.testing.IsolatedJetcd;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three members embedded in one Vert.x instance: the in-process client (event bus, no gRPC) writes, reads,
 * watches and leases; jetcd reads the same data over gRPC from another member and writes back.
 */
@ExtendWith(VertxExtension.class)
class EmbedTest {
  @TempDir static Path dir;
  static List<Vetch> members;
  static VetchClient client;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    members = await(Vetch.startCluster(vertx, dir, 3));
    client = members.get(0).client();
    long deadline = System.currentTimeMillis() + 20_000;
    while (await(client.status()).getLeader() == 0) {
      assertTrue(System.currentTimeMillis() < deadline, "no leader");
      Thread.sleep(50);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (Vetch m : members) {
      await(m.close());
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void inProcessWritesAreSeenOverGrpcOnAnotherMemberAndBack() throws Throwable {
    assertEquals(3, await(client.memberList()).getMembersCount());
    await(client.put("embed/k", "from-the-event-bus"));
    IsolatedJetcd.run("io.vetch.it.jetcd.EmbedScenarios", "readsWhatTheInProcessClientWrote",
        members.get(2).clientUrls().get(0));
    assertEquals("from-jetcd", await(members.get(1).client().get("embed/j")));
    assertNull(await(client.get("embed/none")));
  }

  @Test
  void errorsAreEtcdsStatuses() throws Exception {
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> await(client.put(PutRequest.newBuilder().setKey(ByteString.EMPTY).build())));
    StatusException s = (StatusException) e.getCause();
    assertEquals(GrpcStatus.INVALID_ARGUMENT, s.status());
    assertEquals("etcdserver: key is not provided", s.message());
  }

  @Test
  void txnAndLeases() throws Exception {
    long lease = await(client.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(30).build())).getID();
    TxnRequest cas = TxnRequest.newBuilder()
        .addCompare(Compare.newBuilder().setKey(b("embed/owner")).setTarget(Compare.CompareTarget.CREATE)
            .setResult(Compare.CompareResult.EQUAL).setCreateRevision(0))
        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("embed/owner"))
            .setValue(b("me")).setLease(lease)))
        .build();
    assertTrue(await(client.txn(cas)).getSucceeded());
    assertTrue(!await(client.txn(cas)).getSucceeded(), "the second create-if-absent must fail");
    assertEquals(30, await(client.leaseKeepAlive(LeaseKeepAliveRequest.newBuilder().setID(lease).build())).getTTL());
    await(client.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(lease).build()));
    assertNull(await(client.get("embed/owner")));
  }

  @Test
  void watchDeliversEveryEventInOrderThroughAPause(Vertx vertx) throws Exception {
    long start = await(client.put("embed/w/start", "0")).getHeader().getRevision() + 1;
    WatchCreateRequest create = WatchCreateRequest.newBuilder().setKey(b("embed/w/")).setRangeEnd(b("embed/w0"))
        .setStartRevision(start).build();
    Watch w = await(client.watch(create));
    int watchers = 20;
    int puts = 150; // 20 x 150 responses: past the member's window of unacknowledged ones while paused
    java.util.Map<Long, List<Event>> events = new java.util.HashMap<>();
    int[] created = {0};
    CompletableFuture<Void> all = new CompletableFuture<>();
    w.handler((WatchResponse r) -> {
      synchronized (events) {
        created[0] += r.getCreated() ? 1 : 0;
        events.computeIfAbsent(r.getWatchId(), x -> new ArrayList<>()).addAll(r.getEventsList());
        if (events.values().stream().mapToInt(List::size).sum() == watchers * puts) {
          all.complete(null);
        }
      }
    });
    vertx.runOnContext(v -> { // the stream belongs to the context that opened it
      for (int i = 1; i < watchers; i++) {
        w.create(create);
      }
    });
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      synchronized (events) {
        if (created[0] == watchers) {
          break;
        }
      }
      assertTrue(System.currentTimeMillis() < deadline, "watchers not created");
      Thread.sleep(20);
    }
    vertx.runOnContext(v -> w.pause());
    Thread.sleep(100);
    for (int i = 0; i < puts; i++) {
      await(client.put("embed/w/" + (i % 7), Integer.toString(i)));
    }
    Thread.sleep(300);
    synchronized (events) {
      assertEquals(0, events.values().stream().mapToInt(List::size).sum(), "events delivered while paused");
    }
    vertx.runOnContext(v -> w.resume());
    all.get(30, TimeUnit.SECONDS);
    synchronized (events) { // every watcher: every revision once, in order
      assertEquals(watchers, events.size());
      for (List<Event> es : events.values()) {
        for (int i = 0; i < puts; i++) {
          assertEquals(start + i, es.get(i).getKv().getModRevision(), "event " + i);
          assertEquals(Integer.toString(i), es.get(i).getKv().getValue().toStringUtf8());
        }
      }
    }
    await(w.close());
  }

  @Test
  void electionThroughTheInProcessClient() throws Exception {
    long lease = await(client.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(30).build())).getID();
    var won = await(client.campaign(io.vetch.api.v3electionpb.CampaignRequest.newBuilder().setName(b("embed/el"))
        .setLease(lease).setValue(b("node-0")).build()));
    assertEquals("node-0", await(members.get(1).client().leader(io.vetch.api.v3electionpb.LeaderRequest
        .newBuilder().setName(b("embed/el")).build())).getKv().getValue().toStringUtf8());
    await(client.resign(io.vetch.api.v3electionpb.ResignRequest.newBuilder().setLeader(won.getLeader()).build()));
    assertEquals(0, await(client.range(RangeRequest.newBuilder().setKey(won.getLeader().getKey()).build()))
        .getCount());
  }
}
