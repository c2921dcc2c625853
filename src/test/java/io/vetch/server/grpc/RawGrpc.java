package io.vetch.server.grpc;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;

/** gRPC calls made by hand over HTTP/2, for tests that send what a gRPC client would not. */
final class RawGrpc {
  /** The HTTP status (0 for a reset stream), grpc-status ("reset N" for a reset stream) and grpc-message. */
  record Reply(int http, String status, String message) {}

  private RawGrpc() {}

  /** message, framed as one uncompressed gRPC message. */
  static Buffer frame(byte[] message) {
    return Buffer.buffer().appendByte((byte) 0).appendInt(message.length).appendBytes(message);
  }

  /** POSTs body to path as a gRPC call; the status comes from the headers or the trailers. */
  static Future<Reply> call(HttpClient client, int port, String path, Buffer body) {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI(path).putHeader("content-type", "application/grpc").putHeader("te", "trailers");
    return client.request(o).compose(req -> req.send(body).compose(resp -> resp.body().map(b -> {
      MultiMap all = MultiMap.caseInsensitiveMultiMap().addAll(resp.headers()).addAll(resp.trailers());
      return new Reply(resp.statusCode(), all.get("grpc-status"), all.get("grpc-message"));
    }))).recover(e -> e instanceof StreamResetException r
        ? Future.succeededFuture(new Reply(0, "reset " + r.getCode(), null)) // the server reset this stream alone
        : Future.failedFuture(e));
  }
}
