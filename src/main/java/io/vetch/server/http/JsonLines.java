package io.vetch.server.http;

import com.google.protobuf.Message;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.WriteStream;
import io.vertx.grpc.server.StatusException;

/**
 * A streaming call's responses on the gateway: each message as one line {@code {"result":...}}, an error as one
 * line {@code {"error":{...}}}, over a chunked HTTP response (grpc-gateway's format).
 */
final class JsonLines<T extends Message> implements WriteStream<T> {
  private final HttpServerResponse out;

  JsonLines(HttpServerResponse out) {
    this.out = out;
    out.setChunked(true).putHeader("content-type", "application/json");
  }

  @Override
  public Future<Void> write(T m) {
    if (out.ended() || out.closed()) {
      return Future.failedFuture("closed");
    }
    return out.write("{\"result\":" + GatewayJson.print(m) + "}\n");
  }

  /** Writes the error line and ends. */
  void fail(Throwable t) {
    StatusException s = GatewayJson.status(t);
    if (!out.ended() && !out.closed()) {
      out.end(GatewayJson.streamError(s) + "\n");
    }
  }

  @Override
  public Future<Void> end() {
    return out.ended() || out.closed() ? Future.succeededFuture() : out.end();
  }

  @Override
  public WriteStream<T> exceptionHandler(Handler<Throwable> handler) {
    out.exceptionHandler(handler);
    return this;
  }

  @Override
  public WriteStream<T> setWriteQueueMaxSize(int maxSize) {
    out.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return out.writeQueueFull();
  }

  @Override
  public WriteStream<T> drainHandler(Handler<Void> handler) {
    out.drainHandler(handler);
    return this;
  }
}
