package io.vetch.embed;

import io.vetch.api.etcdserverpb.WatchCancelRequest;
import io.vetch.api.etcdserverpb.WatchCreateRequest;
import io.vetch.api.etcdserverpb.WatchProgressRequest;
import io.vetch.api.etcdserverpb.WatchRequest;
import io.vetch.api.etcdserverpb.WatchResponse;
import io.vetch.server.bus.ClientCall;
import io.vetch.server.grpc.InProcessEndpoint;
import io.vetch.server.watch.EventBusWatchChannel;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.streams.ReadStream;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.util.ArrayDeque;
import java.util.UUID;

/**
 * A watch stream of the in-process client: etcd's Watch with its guarantees (ordered, unique, reliable, atomic,
 * resumable), its responses as a Vert.x ReadStream. Many watchers per stream ({@link #create}, {@link #cancel}).
 * Flow control is end to end: while the stream is paused (or its demand is spent) the member stops sending after a
 * bounded window and lets its watchers fall behind, to catch up from the store once the application reads again.
 * Confined to the context that opened it.
 */
public final class Watch implements ReadStream<WatchResponse> {
  /** Responses handed to the application between two acknowledgements, at most. */
  private static final int ACK_EVERY = 64;

  private final EventBus bus;
  private final String address;
  private final ArrayDeque<WatchResponse> queue = new ArrayDeque<>();
  private MessageConsumer<ClientCall> consumer;
  private Handler<WatchResponse> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private int unacked;
  private boolean delivering;
  private boolean ended;

  private Watch(EventBus bus, String address) {
    this.bus = bus;
    this.address = address;
  }

  static Future<Watch> open(Vertx vertx, long memberId, String token, WatchCreateRequest first) {
    EventBus bus = vertx.eventBus();
    Watch w = new Watch(bus, InProcessEndpoint.address(memberId, "watch.") + UUID.randomUUID());
    w.consumer = bus.localConsumer(w.address, w::onMessage);
    DeliveryOptions o = new DeliveryOptions().addHeader(InProcessEndpoint.CLIENT, w.address);
    if (token != null) {
      o.addHeader(InProcessEndpoint.TOKEN, token);
    }
    return w.consumer.completion()
        .compose(v -> bus.request(InProcessEndpoint.address(memberId, "watch"), new ClientCall(null), o))
        .recover(e -> {
          w.consumer.unregister();
          return Future.failedFuture(VetchClient.status(e));
        })
        .map(reply -> {
          w.create(first);
          return w;
        });
  }

  /** Adds a watcher to this stream; its created response (with its watch id) comes on the stream. */
  public void create(WatchCreateRequest c) {
    send(WatchRequest.newBuilder().setCreateRequest(c).build());
  }

  public void cancel(long watchId) {
    send(WatchRequest.newBuilder().setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(watchId)).build());
  }

  /** Asks for a progress notification (watch id -1) once every event up to its revision has been sent. */
  public void requestProgress() {
    send(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
  }

  /** Ends the stream and its watchers. */
  public Future<Void> close() {
    if (ended) {
      return Future.succeededFuture();
    }
    ended = true;
    bus.send(address + ".in", new ClientCall(null),
        new DeliveryOptions().addHeader(EventBusWatchChannel.CONTROL, "close"));
    return consumer.unregister();
  }

  private void send(WatchRequest r) {
    if (!ended) {
      bus.send(address + ".in", new ClientCall(r));
    }
  }

  private void onMessage(Message<ClientCall> m) {
    if ("end".equals(m.headers().get(EventBusWatchChannel.CONTROL))) {
      ended = true;
      consumer.unregister();
      int status = Integer.parseInt(m.headers().get("status"));
      if (status != 0 && exceptionHandler != null) {
        exceptionHandler.handle(new StatusException(GrpcStatus.valueOf(status), m.headers().get("message")));
      }
      if (endHandler != null) {
        endHandler.handle(null);
      }
      return;
    }
    queue.add((WatchResponse) m.body().body());
    deliver();
  }

  private void deliver() {
    if (delivering) {
      return;
    }
    delivering = true;
    try {
      while (demand > 0 && !queue.isEmpty() && handler != null) {
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        handler.handle(queue.poll());
        if (++unacked >= ACK_EVERY || queue.isEmpty()) {
          bus.send(address + ".in", new ClientCall(null), new DeliveryOptions()
              .addHeader(EventBusWatchChannel.CONTROL, "ack").addHeader("n", Integer.toString(unacked)));
          unacked = 0;
        }
      }
    } finally {
      delivering = false;
    }
  }

  @Override
  public Watch exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public Watch handler(Handler<WatchResponse> handler) {
    this.handler = handler;
    deliver();
    return this;
  }

  @Override
  public Watch pause() {
    demand = 0;
    return this;
  }

  @Override
  public Watch resume() {
    demand = Long.MAX_VALUE;
    deliver();
    return this;
  }

  @Override
  public Watch fetch(long amount) {
    demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    deliver();
    return this;
  }

  @Override
  public Watch endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }
}
