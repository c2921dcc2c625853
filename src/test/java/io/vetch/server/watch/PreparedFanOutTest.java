package io.vetch.server.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.ResponseHeader;
import io.vetch.api.etcdserverpb.WatchCancelRequest;
import io.vetch.api.etcdserverpb.WatchCreateRequest;
import io.vetch.api.etcdserverpb.WatchRequest;
import io.vetch.api.etcdserverpb.WatchResponse;
import io.vetch.api.mvccpb.Event;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.mvcc.KvStore;
import io.vetch.mvcc.StoreOptions;
import io.vetch.mvcc.WriteTxn;
import io.vetch.server.bus.WatchEvents;
import io.vetch.server.bus.WatchInterest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch's responses framed ahead, while its WAL write is under way ({@link WatcherGroup#prepare}): nothing leaves
 * before the batch is durable; what changed meanwhile (a watcher created or canceled) is honoured; a batch that
 * never becomes durable is never sent. On a real store, with the group and its streams on one event loop.
 */
@ExtendWith(VertxExtension.class)
class PreparedFanOutTest {
  @TempDir Path dir;
  private KvStore store;
  private WorkerExecutor pool;
  private Context loop;
  private WatcherGroup group;
  private long index;

  /** A watch channel that keeps every response written to it. */
  static final class Recorder implements WatchChannel {
    final List<WatchResponse> written = new ArrayList<>();
    private Consumer<Buffer> requests;

    @Override
    public String token() {
      return null;
    }

    @Override
    public void start(Consumer<Buffer> requests, Consumer<String> malformed, Runnable onEnd, Runnable onClose,
        Runnable onDrain) {
      this.requests = requests;
    }

    void request(WatchRequest r) {
      requests.accept(Buffer.buffer(r.toByteArray()));
    }

    @Override
    public void pauseRequests() {}

    @Override
    public void resumeRequests() {}

    @Override
    public void write(Buffer frames, int messages) {
      WatchChannel.forEachResponse(frames, written::add);
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public void finish(int status, String message) {}

    /** "id=value" for each event written, in order. */
    List<String> events() {
      List<String> out = new ArrayList<>();
      for (WatchResponse r : written) {
        r.getEventsList().forEach(e -> out.add(r.getWatchId() + "=" + e.getKv().getValue().toStringUtf8()));
      }
      return out;
    }
  }

  @BeforeEach
  void open(Vertx vertx) throws Exception {
    store = KvStore.open(dir, new StoreOptions(1_000, 32));
    pool = vertx.createSharedWorkerExecutor("prepared-fan-out-test", 1);
    loop = vertx.getOrCreateContext();
    on(() -> group = new WatcherGroup(vertx, store, rev -> ResponseHeader.newBuilder().setRevision(rev).build(),
        pool, new WatchInterest(), 600_000));
  }

  @AfterEach
  void close() throws Exception {
    on(group::close);
    pool.close();
    store.close();
  }

  /** Runs r on the group's event loop, then lets the tasks it queued (scheduled flushes) run. */
  private void on(Runnable r) throws Exception {
    for (Runnable step : List.of(r, () -> { })) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      loop.runOnContext(v -> {
        try {
          step.run();
          done.complete(null);
        } catch (Throwable t) {
          done.completeExceptionally(t);
        }
      });
      done.get(10, TimeUnit.SECONDS);
    }
  }

  private Recorder openStream(String... keys) throws Exception {
    Recorder channel = new Recorder();
    on(() -> {
      new WatchStream(group, store, 1 << 20, channel, WatchPermission.ALL, 1_000).start();
      for (String k : keys) {
        channel.request(create(k, k.endsWith("/") ? prefixEnd(k) : ""));
      }
    });
    return channel;
  }

  private static WatchRequest create(String key, String end) {
    return WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8(key)).setRangeEnd(ByteString.copyFromUtf8(end))).build();
  }

  private static String prefixEnd(String prefix) {
    return prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
  }

  /**
   * A lone member's held write: key = value applied unseen; returns the batch as the storage worker publishes it
   * ahead (not durable).
   */
  private WatchEvents heldPut(String key, String value) {
    long before = store.currentRevision();
    store.hold();
    WriteTxn t = store.write(++index);
    long rev = t.put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), 0);
    List<Event> events = t.end();
    return new WatchEvents(before, rev, List.of(new WatchEvents.Revision(rev, events)), false);
  }

  /** The held write is durable: published, and its batch (the same revisions) handed on as durable. */
  private WatchEvents durable(WatchEvents held) {
    store.release();
    return new WatchEvents(held.fromRev(), store.currentRevision(), List.copyOf(held.revisions()));
  }

  @Test
  void preparedResponsesLeaveOnlyOnceDurableAndOnce() throws Exception {
    Recorder a = openStream("k", "k", "k/");
    Recorder b = openStream("k", "other");
    assertEquals(3, a.written.size());
    WatchEvents held = heldPut("k", "v1");
    on(() -> group.prepare(held));
    assertTrue(group.holdsPrepared());
    assertEquals(List.of(), a.events());
    assertEquals(List.of(), b.events());
    on(() -> group.onEvents(durable(held)));
    assertFalse(group.holdsPrepared());
    assertEquals(List.of("0=v1", "1=v1"), a.events()); // the prefix watcher k/ does not contain k
    assertEquals(List.of("0=v1"), b.events());
    assertTrue(a.written.stream().filter(r -> r.getEventsCount() > 0)
        .allMatch(r -> r.getHeader().getRevision() == held.toRev()));
  }

  @Test
  void aWatcherCreatedMeanwhileHearsTheBatch() throws Exception {
    Recorder a = openStream("k");
    WatchEvents held = heldPut("k", "v1");
    on(() -> group.prepare(held));
    on(() -> a.request(create("k", ""))); // the store still shows the revision before: it starts at the held one
    on(() -> group.onEvents(durable(held)));
    assertEquals(List.of("0=v1", "1=v1"), a.events());
  }

  @Test
  void aWatcherCanceledMeanwhileHearsNothing() throws Exception {
    Recorder a = openStream("k", "k");
    WatchEvents held = heldPut("k", "v1");
    on(() -> group.prepare(held));
    on(() -> a.request(WatchRequest.newBuilder().setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(0))
        .build()));
    on(() -> group.onEvents(durable(held)));
    assertEquals(List.of("1=v1"), a.events());
  }

  @Test
  void aWatcherWantingPrevKvLeavesTheBatchToItsDurableFanOut() throws Exception {
    Recorder a = openStream("k");
    on(() -> a.request(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("k")).setPrevKv(true)).build()));
    WatchEvents first = heldPut("k", "v1");
    on(() -> group.prepare(first));
    on(() -> group.onEvents(durable(first)));
    WatchEvents second = heldPut("k", "v2");
    on(() -> group.prepare(second));
    assertFalse(group.holdsPrepared(), "prev_kv is read from the store at the durable fan-out");
    on(() -> group.onEvents(durable(second)));
    assertEquals(List.of("0=v1", "1=v1", "0=v2", "1=v2"), a.events());
    WatchResponse last = a.written.get(a.written.size() - 1);
    assertEquals(1, last.getWatchId());
    assertEquals("v1", last.getEvents(0).getPrevKv().getValue().toStringUtf8());
  }

  @Test
  void aBatchThatNeverBecomesDurableIsNeverSent() throws Exception {
    Recorder a = openStream("k");
    WatchEvents held = heldPut("k", "lost");
    on(() -> group.prepare(held));
    // Its WAL write failed; the member reopened, and a new batch took the same revision: other objects.
    Event other = Event.newBuilder().setKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("k"))
        .setValue(ByteString.copyFromUtf8("kept")).setModRevision(held.toRev()).setCreateRevision(held.toRev())
        .setVersion(1)).build();
    on(() -> group.onEvents(new WatchEvents(held.fromRev(), held.toRev(),
        List.of(new WatchEvents.Revision(held.toRev(), List.of(other))))));
    assertEquals(List.of("0=kept"), a.events());
    store.release();
  }
}
