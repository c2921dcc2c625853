package io.vetch.server.watch;

import io.vetch.server.wire.GrpcFraming;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.Consumer;

/** A Watch gRPC call served straight on its HTTP/2 stream, framing by {@link GrpcFraming}. */
final class GrpcWatchChannel implements WatchChannel {
  private final HttpServerRequest in;
  private final HttpServerResponse out;
  private final int maxRequestBytes;
  private final io.vetch.server.metrics.GrpcMethodMetrics messages = io.vetch.server.metrics.GrpcMethodMetrics.current();

  GrpcWatchChannel(HttpServerRequest in, int maxRequestBytes) {
    this.in = in;
    this.out = in.response();
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public String token() {
    return in.getHeader("token");
  }

  @Override
  public void start(Consumer<Buffer> requests, Consumer<String> malformed, Runnable onEnd, Runnable onClose,
      Runnable onDrain) {
    out.putHeader("content-type", "application/grpc");
    in.handler(GrpcFraming.parser(maxRequestBytes, m -> {
      messages.received();
      requests.accept(m);
    }, malformed));
    in.endHandler(v -> onEnd.run());
    in.exceptionHandler(e -> onClose.run());
    out.exceptionHandler(e -> onClose.run());
    out.closeHandler(v -> onClose.run());
    out.drainHandler(v -> onDrain.run());
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
  public void write(Buffer frames, int count) {
    out.write(frames);
    messages.sent(count);
  }

  @Override
  public boolean writeQueueFull() {
    return out.writeQueueFull();
  }

  @Override
  public void finish(int status, String message) {
    GrpcFraming.finish(out, true, status, message);
  }
}
