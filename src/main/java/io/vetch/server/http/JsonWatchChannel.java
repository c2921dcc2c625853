package io.vetch.server.http;

import io.vetch.api.etcdserverpb.WatchRequest;
import io.vetch.api.etcdserverpb.WatchResponse;
import io.vetch.server.watch.WatchChannel;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.util.function.Consumer;

/**
 * A watch on the gateway (POST /v3/watch): the body is a sequence of JSON WatchRequests, the response a line per
 * WatchResponse. As on etcd, the watch goes on after the body ends, until the client goes away.
 */
final class JsonWatchChannel implements WatchChannel {
  private final HttpServerRequest in;
  private final JsonLines<WatchResponse> out;
  private final int maxRequestBytes;

  JsonWatchChannel(HttpServerRequest in, int maxRequestBytes) {
    this.in = in;
    this.out = new JsonLines<>(in.response());
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public String token() {
    return in.getHeader("authorization");
  }

  @Override
  public void start(Consumer<Buffer> requests, Consumer<String> malformed, Runnable onEnd, Runnable onClose,
      Runnable onDrain) {
    JsonObjects objects = new JsonObjects(maxRequestBytes, json -> {
      try {
        requests.accept(Buffer.buffer(GatewayJson.parse(json, WatchRequest.getDefaultInstance()).toByteArray()));
      } catch (StatusException e) {
        malformed.accept(e.message());
      }
    }, malformed);
    in.handler(objects::feed);
    in.endHandler(v -> objects.end());
    in.exceptionHandler(e -> onClose.run());
    in.response().exceptionHandler(e -> onClose.run());
    in.response().closeHandler(v -> onClose.run());
    out.drainHandler(v -> onDrain.run());
    in.response().write(""); // the status line and headers go out now: the client sees the watch open
  }

  @Override
  public void pauseRequests() {
    in.pause();
  }

  @Override
  public void resumeRequests() {
    in.resume();
  }

  @Override
  public void write(Buffer frames, int messages) {
    WatchChannel.forEachResponse(frames, out::write);
  }

  @Override
  public boolean writeQueueFull() {
    return out.writeQueueFull();
  }

  @Override
  public void finish(int status, String message) {
    if (status == 0) {
      out.end();
    } else {
      out.fail(new StatusException(GrpcStatus.valueOf(status), message));
    }
  }
}
