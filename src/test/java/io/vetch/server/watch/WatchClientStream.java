package io.vetch.server.watch;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.WatchCancelRequest;
import io.vetch.api.etcdserverpb.WatchCreateRequest;
import io.vetch.api.etcdserverpb.WatchGrpcClient;
import io.vetch.api.etcdserverpb.WatchProgressRequest;
import io.vetch.api.etcdserverpb.WatchRequest;
import io.vetch.api.etcdserverpb.WatchResponse;
import io.vertx.core.Promise;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A test's end of one Watch stream over real gRPC (Vert.x gRPC client): sends requests, records every response in
 * arrival order, and can pause reading to let HTTP/2 flow control push back on the server. Thread-safe.
 */
final class WatchClientStream {
  private final WriteStream<WatchRequest> requests;
  private final ReadStream<WatchResponse> responses;
  private final List<WatchResponse> received;
  private final int[] counts;

  private WatchClientStream(WriteStream<WatchRequest> requests, ReadStream<WatchResponse> responses,
      List<WatchResponse> received, int[] counts) {
    this.requests = requests;
    this.responses = responses;
    this.received = received;
    this.counts = counts;
  }

  /**
   * Opens a stream with a progress request (the server's response headers, and so the client's response stream,
   * come with its first answer), then sends first. Responses are recorded from the moment the response stream
   * opens; that first answer may or may not be among them.
   */
  static WatchClientStream open(WatchGrpcClient client, WatchCreateRequest first) throws Exception {
    Promise<WriteStream<WatchRequest>> req = Promise.promise();
    List<WatchResponse> sink = new ArrayList<>();
    int[] counts = new int[2];
    var resp = client.watch((ws, err) -> {
      if (err != null) {
        req.fail(err);
      } else {
        ws.write(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
        req.complete(ws);
      }
    }).map(rs -> {
      rs.handler(r -> { // set as the stream opens, on its event loop: no response can slip past it
        synchronized (sink) {
          sink.add(r);
          counts[0] += r.getCreated() ? 1 : 0;
          counts[1] += r.getEventsCount();
          sink.notifyAll();
        }
      });
      return rs;
    });
    ReadStream<WatchResponse> rs = resp.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    WatchClientStream s = new WatchClientStream(req.future().toCompletionStage().toCompletableFuture().get(), rs,
        sink, counts);
    s.create(first);
    return s;
  }

  /** Responses with created set, and events received, so far. */
  int created() {
    synchronized (received) {
      return counts[0];
    }
  }

  int events() {
    synchronized (received) {
      return counts[1];
    }
  }

  void create(WatchCreateRequest c) {
    requests.write(WatchRequest.newBuilder().setCreateRequest(c).build());
  }

  void cancel(long watchId) {
    requests.write(WatchRequest.newBuilder().setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(watchId))
        .build());
  }

  void requestProgress() {
    requests.write(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
  }

  void pause() {
    responses.pause();
  }

  void resume() {
    responses.resume();
  }

  void close() {
    requests.end();
  }

  List<WatchResponse> received() {
    synchronized (received) {
      return new ArrayList<>(received);
    }
  }

  /**
   * Waits until done holds, checked against a copy of everything received so far at most every 20 ms (the copy
   * keeps the event loop from waiting on the check), up to timeoutMs.
   */
  List<WatchResponse> await(Predicate<List<WatchResponse>> done, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      List<WatchResponse> now = received();
      if (done.test(now)) {
        return now;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out; received " + now.size() + " responses: " + now);
      }
      synchronized (received) {
        received.wait(20);
      }
    }
  }

  /** Waits until check holds (it must be cheap), up to timeoutMs. */
  void awaitCount(java.util.function.BooleanSupplier check, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!check.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out; " + created() + " created, " + events() + " events");
      }
      synchronized (received) {
        received.wait(20);
      }
    }
  }

  static WatchCreateRequest.Builder watch(String key) {
    return WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8(key));
  }

  static WatchCreateRequest.Builder watchPrefix(String prefix) {
    byte[] end = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    end[end.length - 1]++;
    return watch(prefix).setRangeEnd(ByteString.copyFrom(end));
  }
}
