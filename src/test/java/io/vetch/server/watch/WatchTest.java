package io.vetch.server.watch;

import static io.vetch.server.watch.WatchClientStream.watch;
import static io.vetch.server.watch.WatchClientStream.watchPrefix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.DeleteRangeRequest;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RequestOp;
import io.vetch.api.etcdserverpb.ResponseOp;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.api.etcdserverpb.TxnResponse;
import io.vetch.api.etcdserverpb.WatchCreateRequest;
import io.vetch.api.etcdserverpb.WatchGrpcClient;
import io.vetch.api.etcdserverpb.WatchResponse;
import io.vetch.api.mvccpb.Event;
import io.vetch.testing.TestMember;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Watch service end to end over real gRPC on an in-process member: etcd's guarantees (ordered, unique,
 * reliable, atomic, resumable) checked against a model of every acknowledged write; a paused client (HTTP/2 flow
 * control) that catches up exactly; 10,000 watchers on one stream.
 */
@ExtendWith(VertxExtension.class)
class WatchTest {
  @TempDir Path dir;
  private TestMember member;
  private KVGrpcClient kv;
  private WatchGrpcClient watch;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    member = TestMember.start(vertx, dir.resolve("data"));
    GrpcClient grpc = GrpcClient.client(vertx);
    SocketAddress addr = SocketAddress.inetSocketAddress(member.clientPort(), "127.0.0.1");
    kv = KVGrpcClient.create(grpc, addr);
    watch = WatchGrpcClient.create(grpc, addr);
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) { // the single member elects itself
      try {
        await(kv.put(put("ready", "1")));
        break;
      } catch (Exception e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  @AfterEach
  void stop() throws Exception {
    member.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static PutRequest put(String k, String v) {
    return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(k)).setValue(ByteString.copyFromUtf8(v)).build();
  }

  /** "PUT key value create mod version" or "DELETE key mod": what a watcher must see, field by field. */
  static String describe(Event e) {
    var kv = e.getKv();
    return e.getType() == Event.EventType.PUT
        ? "PUT " + kv.getKey().toStringUtf8() + " " + kv.getValue().toStringUtf8() + " " + kv.getCreateRevision() + " "
            + kv.getModRevision() + " " + kv.getVersion()
        : "DELETE " + kv.getKey().toStringUtf8() + " " + kv.getModRevision();
  }

  /** One acknowledged write: its revision and its changes, as (key, value or null for a delete). */
  record Write(long revision, List<String[]> ops) {}

  /** The events etcd must emit for the writes, by revision, from a model replay of the writes in revision order. */
  static TreeMap<Long, List<Event>> model(List<Write> writes) {
    List<Write> sorted = new ArrayList<>(writes);
    sorted.sort((a, b) -> Long.compare(a.revision, b.revision));
    Map<String, io.vetch.api.mvccpb.KeyValue> state = new HashMap<>();
    TreeMap<Long, List<Event>> events = new TreeMap<>();
    for (Write w : sorted) {
      List<Event> evs = new ArrayList<>();
      for (String[] op : w.ops) {
        var prev = state.get(op[0]);
        if (op[1] == null) {
          if (prev != null) {
            state.remove(op[0]);
            evs.add(Event.newBuilder().setType(Event.EventType.DELETE).setKv(io.vetch.api.mvccpb.KeyValue.newBuilder()
                .setKey(ByteString.copyFromUtf8(op[0])).setModRevision(w.revision)).build());
          }
        } else {
          var kv = io.vetch.api.mvccpb.KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(op[0]))
              .setValue(ByteString.copyFromUtf8(op[1])).setModRevision(w.revision)
              .setCreateRevision(prev == null ? w.revision : prev.getCreateRevision())
              .setVersion(prev == null ? 1 : prev.getVersion() + 1).build();
          state.put(op[0], kv);
          evs.add(Event.newBuilder().setType(Event.EventType.PUT).setKv(kv).build());
        }
      }
      if (!evs.isEmpty()) {
        assertTrue(!events.containsKey(w.revision), "two writes at revision " + w.revision);
        events.put(w.revision, evs);
      }
    }
    return events;
  }

  /** A watcher of the randomized test: its request, stream, id and effective start revision. */
  record Watched(WatchCreateRequest req, WatchClientStream stream, long id, long start) {
    boolean contains(String key) {
      ByteString k = ByteString.copyFromUtf8(key);
      if (req.getRangeEnd().isEmpty()) {
        return req.getKey().equals(k);
      }
      var cmp = ByteString.unsignedLexicographicalComparator();
      boolean fromKey = req.getRangeEnd().equals(ByteString.copyFrom(new byte[] {0}));
      return cmp.compare(k, req.getKey()) >= 0 && (fromKey || cmp.compare(k, req.getRangeEnd()) < 0);
    }

    List<String> expected(TreeMap<Long, List<Event>> model, long from) {
      List<String> out = new ArrayList<>();
      model.tailMap(Math.max(start, from)).forEach((rev, evs) -> evs.stream()
          .filter(e -> contains(e.getKv().getKey().toStringUtf8()))
          .filter(e -> !(e.getType() == Event.EventType.PUT
              && req.getFiltersList().contains(WatchCreateRequest.FilterType.NOPUT)))
          .filter(e -> !(e.getType() == Event.EventType.DELETE
              && req.getFiltersList().contains(WatchCreateRequest.FilterType.NODELETE)))
          .forEach(e -> out.add(describe(e))));
      return out;
    }

    List<WatchResponse> responses() {
      return stream.received().stream().filter(r -> r.getWatchId() == id && r.getEventsCount() > 0).toList();
    }

    List<String> received() {
      List<String> out = new ArrayList<>();
      responses().forEach(r -> r.getEventsList().forEach(e -> out.add(describe(e))));
      return out;
    }
  }

  @Test
  void guaranteesHoldUnderConcurrentWrites() throws Exception {
    Random rnd = new Random(42);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      keys.add("g/" + (char) ('a' + i));
    }
    List<Write> writes = Collections.synchronizedList(new ArrayList<>());
    List<WatchClientStream> streams = new ArrayList<>();
    List<Watched> watchers = new ArrayList<>();
    long base = await(kv.put(put("g-base", "x"))).getHeader().getRevision();
    for (int s = 0; s < 4; s++) {
      streams.add(WatchClientStream.open(watch, watchPrefix("g/").setWatchId(1).build()));
      watchers.add(new Watched(watchPrefix("g/").build(), streams.get(s), 1, base + 1));
    }
    // Writers: concurrent puts, deletes and multi-op txns; each remembers its revision and changes.
    Thread[] writers = new Thread[3];
    for (int t = 0; t < writers.length; t++) {
      long seed = rnd.nextLong();
      int writer = t;
      writers[t] = new Thread(() -> {
        Random r = new Random(seed);
        try {
          for (int i = 0; i < 150; i++) {
            writes.add(randomWrite(r, keys, writer + "-" + i));
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      writers[t].start();
    }
    // Meanwhile watchers join with random ranges, filters and start revisions (history included).
    long nextWatchId = 10;
    for (int i = 0; i < 40; i++) {
      Thread.sleep(5);
      long now = await(kv.range(io.vetch.api.etcdserverpb.RangeRequest.newBuilder()
          .setKey(ByteString.copyFromUtf8("g-base")).build())).getHeader().getRevision();
      WatchCreateRequest.Builder c = switch (rnd.nextInt(4)) {
        case 0 -> watch(keys.get(rnd.nextInt(keys.size())));
        case 1 -> watchPrefix("g/");
        case 2 -> watch(keys.get(rnd.nextInt(keys.size()))).setRangeEnd(ByteString.copyFrom(new byte[] {0}));
        default -> watch("g/c").setRangeEnd(ByteString.copyFromUtf8("g/h"));
      };
      long start = rnd.nextBoolean() ? 0 : base + 1 + rnd.nextInt((int) Math.max(1, now - base));
      c.setStartRevision(start).setWatchId(nextWatchId).setPrevKv(false);
      if (rnd.nextInt(5) == 0) {
        c.addFilters(rnd.nextBoolean() ? WatchCreateRequest.FilterType.NOPUT : WatchCreateRequest.FilterType.NODELETE);
      }
      WatchClientStream s = streams.get(rnd.nextInt(streams.size()));
      long id = nextWatchId++;
      s.create(c.build());
      WatchResponse created = s.await(rs -> rs.stream().anyMatch(r -> r.getWatchId() == id && r.getCreated()), 10_000)
          .stream().filter(r -> r.getWatchId() == id && r.getCreated()).findFirst().orElseThrow();
      watchers.add(new Watched(c.build(), s, id, start > 0 ? start : created.getHeader().getRevision() + 1));
    }
    for (Thread t : writers) {
      t.join();
    }
    TreeMap<Long, List<Event>> model = model(writes);
    for (Watched w : watchers) {
      List<String> expected = w.expected(model, 0);
      w.stream.await(rs -> w.received().size() >= expected.size(), 20_000);
      Thread.sleep(w == watchers.get(watchers.size() - 1) ? 300 : 0); // room for a duplicate to show up
    }
    for (Watched w : watchers) {
      // ordered, unique and reliable: exactly the model's events, in revision and txn order
      assertEquals(w.expected(model, 0), w.received(), "watcher " + w.id + " " + w.req);
      // atomic: a response never splits a revision
      for (WatchResponse r : w.responses()) {
        Map<Long, Long> perRev = new HashMap<>();
        r.getEventsList().forEach(e -> perRev.merge(e.getKv().getModRevision(), 1L, Long::sum));
        perRev.forEach((rev, n) -> assertEquals(countAt(w, model, rev), n, "revision " + rev + " split"));
      }
    }
    // resumable: a new watcher from the last revision seen + 1 continues exactly
    Watched first = watchers.get(0);
    List<WatchResponse> rs = first.responses();
    WatchResponse middle = rs.get(rs.size() / 2);
    long last = middle.getEvents(middle.getEventsCount() - 1).getKv().getModRevision();
    WatchClientStream resumed = WatchClientStream.open(watch,
        watchPrefix("g/").setStartRevision(last + 1).setWatchId(7).build());
    Watched again = new Watched(watchPrefix("g/").build(), resumed, 7, last + 1);
    List<String> rest = again.expected(model, 0);
    resumed.await(x -> again.received().size() >= rest.size(), 20_000);
    assertEquals(rest, again.received());
    List<String> before = new ArrayList<>();
    for (WatchResponse r : rs.subList(0, rs.size() / 2 + 1)) {
      r.getEventsList().forEach(e -> before.add(describe(e)));
    }
    before.addAll(again.received());
    assertEquals(first.expected(model, 0), before, "first half + resumed = everything");
  }

  private static long countAt(Watched w, TreeMap<Long, List<Event>> model, long rev) {
    List<Event> evs = model.getOrDefault(rev, List.of());
    return evs.stream().filter(e -> w.contains(e.getKv().getKey().toStringUtf8()))
        .filter(e -> !(e.getType() == Event.EventType.PUT
            && w.req.getFiltersList().contains(WatchCreateRequest.FilterType.NOPUT)))
        .filter(e -> !(e.getType() == Event.EventType.DELETE
            && w.req.getFiltersList().contains(WatchCreateRequest.FilterType.NODELETE)))
        .count();
  }

  private Write randomWrite(Random r, List<String> keys, String tag) throws Exception {
    int kind = r.nextInt(10);
    if (kind < 5) {
      String k = keys.get(r.nextInt(keys.size()));
      long rev = await(kv.put(put(k, tag))).getHeader().getRevision();
      return new Write(rev, List.<String[]>of(new String[] {k, tag}));
    }
    if (kind < 7) {
      String k = keys.get(r.nextInt(keys.size()));
      var resp = await(kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(k)).build()));
      return new Write(resp.getDeleted() > 0 ? resp.getHeader().getRevision() : -1,
          List.<String[]>of(new String[] {k, null}));
    }
    List<String> shuffled = new ArrayList<>(keys);
    Collections.shuffle(shuffled, r);
    TxnRequest.Builder txn = TxnRequest.newBuilder();
    List<String[]> ops = new ArrayList<>();
    for (int i = 0; i < 2 + r.nextInt(3); i++) {
      String k = shuffled.get(i);
      if (r.nextBoolean()) {
        txn.addSuccess(RequestOp.newBuilder().setRequestPut(put(k, tag + "." + i)));
        ops.add(new String[] {k, tag + "." + i});
      } else {
        txn.addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8(k))));
        ops.add(new String[] {k, null});
      }
    }
    TxnResponse resp = await(kv.txn(txn.build()));
    boolean changed = false;
    for (ResponseOp op : resp.getResponsesList()) {
      changed |= op.hasResponsePut() || op.getResponseDeleteRange().getDeleted() > 0;
    }
    return new Write(changed ? resp.getHeader().getRevision() : -1, ops);
  }

  @Test
  void pausedClientIsHeldBackAndCatchesUpExactly(Vertx vertx) throws Exception {
    // its own connection: the writes below must not share HTTP/2 flow control with the paused stream
    WatchGrpcClient own = WatchGrpcClient.create(GrpcClient.client(vertx,
            new io.vertx.grpc.client.GrpcClientOptions().setMaxMessageSize(4 << 20)),
        SocketAddress.inetSocketAddress(member.clientPort(), "127.0.0.1"));
    WatchClientStream s = WatchClientStream.open(own, watchPrefix("slow/").build());
    s.await(rs -> rs.stream().anyMatch(WatchResponse::getCreated), 10_000);
    s.pause(); // HTTP/2 flow control: the server's write queue fills, its watcher falls back to catching up
    String value = "v".repeat(4096);
    List<Future<?>> puts = new ArrayList<>();
    long last = 0;
    for (int i = 0; i < 1500; i++) {
      puts.add(kv.put(put("slow/" + (i % 50), value + i)));
      if (puts.size() == 100) {
        for (Future<?> f : puts) {
          last = Math.max(last, ((io.vetch.api.etcdserverpb.PutResponse) await(f)).getHeader().getRevision());
        }
        puts.clear();
      }
    }
    long lastRev = last;
    int before = s.received().size();
    s.resume();
    List<WatchResponse> rs = s.await(x -> x.stream().anyMatch(r -> r.getEventsCount() > 0
        && r.getEvents(r.getEventsCount() - 1).getKv().getModRevision() == lastRev), 30_000);
    List<Long> revisions = new ArrayList<>();
    rs.forEach(r -> r.getEventsList().forEach(e -> revisions.add(e.getKv().getModRevision())));
    assertEquals(1500, revisions.size(), "every put exactly once");
    for (int i = 1; i < revisions.size(); i++) {
      assertEquals(revisions.get(i - 1) + 1, revisions.get(i), "in order, without gaps");
    }
    assertTrue(before < 1500, "the paused client was not sent everything while paused (" + before + ")");
  }

  /**
   * As in etcd, whose watchers hear of a write inside its apply: a write's events leave before its reply, so a client
   * that watches its own key on the same connection has the event when the put's answer arrives.
   */
  @Test
  void aWritesEventsLeaveBeforeItsReply() throws Exception {
    WatchClientStream s = WatchClientStream.open(watch, watch("own").build());
    s.awaitCount(() -> s.created() == 1, 10_000);
    for (int i = 1; i <= 20; i++) {
      int n = i;
      // checked on the client's event loop as the answer is read, after the frames that came before it
      assertEquals(n, (int) await(kv.put(put("own", "v" + n)).map(r -> s.events())), "events seen at put " + n);
    }
  }

  @Test
  void tenThousandWatchersOnOneStream() throws Exception {
    WatchClientStream s = WatchClientStream.open(watch, watch("hot").build());
    for (int i = 1; i < 10_000; i++) {
      s.create(watch("hot").build());
    }
    s.awaitCount(() -> s.created() == 10_000, 30_000);
    for (int i = 0; i < 5; i++) {
      await(kv.put(put("hot", "v" + i)));
    }
    s.awaitCount(() -> s.events() == 50_000, 60_000);
    List<WatchResponse> rs = s.received();
    Map<Long, List<String>> byWatcher = new HashMap<>();
    rs.stream().filter(r -> r.getEventsCount() > 0).forEach(r -> r.getEventsList()
        .forEach(e -> byWatcher.computeIfAbsent(r.getWatchId(), x -> new ArrayList<>()).add(e.getKv().getValue()
            .toStringUtf8())));
    assertEquals(10_000, byWatcher.size());
    byWatcher.values().forEach(v -> assertEquals(List.of("v0", "v1", "v2", "v3", "v4"), v));
  }

  @Test
  void compactionEdgeNeverDropsADelete() throws Exception {
    await(kv.put(put("edge/a", "1")));
    long del = await(kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("edge/a"))
        .build())).getHeader().getRevision();
    await(kv.put(put("edge/b", "2")));
    await(kv.compact(io.vetch.api.etcdserverpb.CompactionRequest.newBuilder().setRevision(del).build()));
    // The delete at the compact revision is gone from the store: a watcher there would miss it, so it is
    // canceled, told to start after it.
    WatchClientStream s = WatchClientStream.open(watch, watchPrefix("edge/").setStartRevision(del).build());
    WatchResponse canceled = s.await(rs -> rs.stream().anyMatch(WatchResponse::getCanceled), 10_000).stream()
        .filter(WatchResponse::getCanceled).findFirst().orElseThrow();
    assertEquals(del + 1, canceled.getCompactRevision());
    assertEquals(WatchStream.COMPACTED, canceled.getCancelReason());
    s.create(watchPrefix("edge/").setStartRevision(del + 1).setWatchId(5).build());
    List<WatchResponse> rs = s.await(x -> x.stream().anyMatch(r -> r.getWatchId() == 5 && r.getEventsCount() > 0),
        10_000);
    assertEquals("edge/b", rs.stream().filter(r -> r.getWatchId() == 5 && r.getEventsCount() > 0).findFirst()
        .orElseThrow().getEvents(0).getKv().getKey().toStringUtf8());
  }

  @Test
  void batchesNoOneWatchesGoUnpublishedYetEveryWatcherStartsWhereTheStoreIs() throws Exception {
    WatchClientStream s = WatchClientStream.open(watch, watch("idle/first").build());
    s.awaitCount(() -> s.created() == 1, 10_000);
    long first = s.received().stream().filter(WatchResponse::getCreated).findFirst().orElseThrow().getWatchId();
    s.cancel(first);
    s.await(rs -> rs.stream().anyMatch(WatchResponse::getCanceled), 10_000);
    long last = 0;
    for (int i = 0; i < 20; i++) { // no watcher on the member: the storage worker publishes none of these
      last = await(kv.put(put("idle/k" + i, "v" + i))).getHeader().getRevision();
    }
    int before = s.received().size();
    s.requestProgress();
    List<WatchResponse> rs = s.await(x -> x.subList(before, x.size()).stream().anyMatch(r -> r.getWatchId() == -1),
        10_000);
    assertEquals(last, rs.subList(before, rs.size()).stream().filter(r -> r.getWatchId() == -1).findFirst()
        .orElseThrow().getHeader().getRevision(), "a stream without watchers reports the store's revision");

    s.create(watchPrefix("idle/").build()); // from now
    s.create(watchPrefix("idle/").setStartRevision(last - 19).build()); // replays the unpublished stretch
    s.awaitCount(() -> s.created() == 3, 10_000);
    List<Long> ids = s.received().stream().filter(WatchResponse::getCreated).map(WatchResponse::getWatchId).toList();
    long next = await(kv.put(put("idle/next", "v"))).getHeader().getRevision();
    List<String> replay = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      replay.add("idle/k" + i + "@" + (last - 19 + i));
    }
    replay.add("idle/next@" + next);
    s.await(x -> keysOf(x, ids.get(2)).size() >= 21 && keysOf(x, ids.get(1)).size() >= 1, 10_000);
    Thread.sleep(200); // nothing more may come
    assertEquals(List.of("idle/next@" + next), keysOf(s.received(), ids.get(1)));
    assertEquals(replay, keysOf(s.received(), ids.get(2)));
  }

  /** "key@modRevision" of every event sent to watcher id, in order. */
  private static List<String> keysOf(List<WatchResponse> rs, long id) {
    List<String> out = new ArrayList<>();
    rs.stream().filter(r -> r.getWatchId() == id).forEach(r -> r.getEventsList().forEach(
        e -> out.add(e.getKv().getKey().toStringUtf8() + "@" + e.getKv().getModRevision())));
    return out;
  }

  @Test
  void progressRequestReportsARevisionEverythingBeforeWhichWasSent() throws Exception {
    long rev = await(kv.put(put("p/a", "1"))).getHeader().getRevision();
    WatchClientStream s = WatchClientStream.open(watch, watchPrefix("p/").setStartRevision(1).build());
    s.requestProgress();
    // The answer to open()'s own progress request may come before the recording starts: count from created.
    List<WatchResponse> rs = s.await(x -> progressAfterCreated(x) > 0, 10_000);
    int at = progressAfterCreated(rs);
    int created = indexOfCreated(rs);
    assertTrue(rs.get(at).getHeader().getRevision() >= rev);
    assertTrue(rs.subList(created, at).stream().anyMatch(r -> r.getEventsCount() > 0),
        "the history the watcher replays comes before the progress notification: " + rs);
  }

  private static int indexOfCreated(List<WatchResponse> rs) {
    for (int i = 0; i < rs.size(); i++) {
      if (rs.get(i).getCreated()) {
        return i;
      }
    }
    return rs.size();
  }

  /** The index of the first progress notification (watch_id -1) after the created response, or -1. */
  private static int progressAfterCreated(List<WatchResponse> rs) {
    for (int i = indexOfCreated(rs) + 1; i < rs.size(); i++) {
      if (rs.get(i).getWatchId() == -1) {
        return i;
      }
    }
    return -1;
  }
}
