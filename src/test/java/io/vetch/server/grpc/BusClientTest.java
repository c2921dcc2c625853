package io.vetch.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vetch.api.etcdserverpb.InternalRaftRequest;
import io.vetch.api.etcdserverpb.Request;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.base.RequestIds;
import io.vetch.server.bus.Addresses;
import io.vetch.server.bus.LocalCodec;
import io.vetch.server.bus.Proposal;
import io.vetch.server.bus.ProposalResult;
import io.vetch.server.bus.ProposalResults;
import io.vetch.server.bus.Proposals;
import io.vetch.server.bus.ReadIndexRequest;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proposals an event loop makes before the raft verticle takes the first reach it together, in the order they were
 * made, and one made after that posts the outbox again; on the raft verticle's own loop each goes alone. The
 * linearizable reads of one turn of a loop share one read-index request.
 */
@ExtendWith(VertxExtension.class)
class BusClientTest {
  @Test
  void proposalsOfOneTurnTravelTogether(Vertx vertx) throws Exception {
    List<List<String>> received = propose(vertx, false, 2, bus -> {
      bus.proposeV2(Request.newBuilder().setPath("/a").build());
      bus.proposeV2(Request.newBuilder().setPath("/b").build());
      bus.proposeV2(Request.newBuilder().setPath("/c").build());
      vertx.runOnContext(w -> bus.proposeV2(Request.newBuilder().setPath("/d").build())); // a later turn
    });
    assertEquals(List.of(List.of("/a", "/b", "/c"), List.of("/d")), received);
  }

  @Test
  void proposalsOnTheRaftVerticlesOwnLoopGoOneByOne(Vertx vertx) throws Exception {
    List<List<String>> received = propose(vertx, true, 2, bus -> {
      bus.proposeV2(Request.newBuilder().setPath("/a").build());
      bus.proposeV2(Request.newBuilder().setPath("/b").build());
    });
    assertEquals(List.of(List.of("/a"), List.of("/b")), received);
  }

  @Test
  void readsOfOneTurnShareOneReadIndexRequest(Vertx vertx) throws Exception {
    LocalCodec.registerAll(vertx);
    Addresses addresses = Addresses.of(7);
    BusClient bus = new BusClient(vertx, addresses, new MemberStatus(), new RequestIds(7, 0),
        new CallAuth(null, null), 7, 1 << 20, 5000);
    List<Long> requests = new CopyOnWriteArrayList<>();
    List<String> answered = new CopyOnWriteArrayList<>();
    var context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      // a stand-in raft verticle: answers each request with term 40 + its ordinal
      vertx.eventBus().<ReadIndexRequest>localConsumer(addresses.readIndex(), m -> {
        requests.add(m.body().id());
        ProposalResults.Batch results = new ProposalResults.Batch(vertx.eventBus());
        results.add(m.body().replyTo(), new ProposalResult(m.body().id(), 40L + requests.size(), null));
        results.send();
      });
      for (String read : List.of("a", "b", "c")) {
        bus.await().onSuccess(term -> answered.add(read + term));
      }
      vertx.runOnContext(w -> bus.await().onSuccess(term -> answered.add("d" + term))); // a later turn
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (answered.size() < 4 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(2, requests.size(), "one request for the first turn's three reads, one for the later read");
    assertEquals(List.of("a41", "b41", "c41", "d42"), answered);
  }

  /**
   * Runs proposals on an event loop where a stand-in for the raft verticle listens (it runs after the proposer's
   * turn), that loop being the raft verticle's when sameLoop; returns the paths of each message, once messages came.
   */
  private static List<List<String>> propose(Vertx vertx, boolean sameLoop, int messages, Consumer<BusClient> proposals)
      throws Exception {
    LocalCodec.registerAll(vertx);
    Addresses addresses = Addresses.of(7);
    List<List<String>> received = new CopyOnWriteArrayList<>();
    BusClient bus = new BusClient(vertx, addresses, new MemberStatus(), new RequestIds(7, 0),
        new CallAuth(null, null), 7, 1 << 20, 5000);
    var context = vertx.getOrCreateContext();
    if (sameLoop) {
      bus.raftLoop(((ContextInternal) context).nettyEventLoop());
    }
    context.runOnContext(v -> {
      vertx.eventBus().<Proposals>localConsumer(addresses.propose(), m -> {
        List<String> paths = new ArrayList<>();
        m.body().drain(p -> paths.add(path(p)));
        received.add(paths);
      });
      proposals.accept(bus);
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (received.size() < messages && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    Thread.sleep(50); // room for an extra message to show up
    return received;
  }

  private static String path(Proposal p) {
    try {
      return InternalRaftRequest.parseFrom(p.data()).getV2().getPath();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
