package io.vetch.server.grpc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.testing.TestMember;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC keepalive enforcement on the client port: a client pinging more often than --grpc-keepalive-min-time is sent
 * away after three strikes, one pinging slower is left alone.
 */
@ExtendWith(VertxExtension.class)
class KeepalivePolicyTest {
  @TempDir Path dir;

  private static HttpConnection connect(Vertx vertx, int port) throws Exception {
    var client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    CompletableFuture<HttpConnection> conn = new CompletableFuture<>();
    client.request(HttpMethod.GET, port, "127.0.0.1", "/version")
        .compose(req -> req.send().map(resp -> req.connection()))
        .onSuccess(conn::complete).onFailure(conn::completeExceptionally);
    return conn.get(10, TimeUnit.SECONDS);
  }

  @Test
  void tooManyPingsAreSentAway(Vertx vertx) throws Exception {
    try (TestMember m = TestMember.start(vertx, dir, b -> b.grpcKeepaliveMinTimeMs(1000))) {
      HttpConnection calm = connect(vertx, m.clientPort());
      CompletableFuture<Void> calmClosed = new CompletableFuture<>();
      calm.closeHandler(v -> calmClosed.complete(null));
      HttpConnection eager = connect(vertx, m.clientPort());
      CompletableFuture<Void> eagerClosed = new CompletableFuture<>();
      eager.closeHandler(v -> eagerClosed.complete(null));
      for (int i = 0; i < 10 && !eagerClosed.isDone(); i++) {
        eager.ping(Buffer.buffer(new byte[8])); // 300 ms apart: sooner than the 1 s minimum, each one answered
        Thread.sleep(300);
      }
      eagerClosed.get(10, TimeUnit.SECONDS);
      for (int i = 0; i < 3; i++) {
        calm.ping(Buffer.buffer(new byte[8]));
        Thread.sleep(1100);
      }
      assertFalse(calmClosed.isDone(), "a client pinging slower than the minimum was closed");
      assertTrue(eagerClosed.isDone());
    }
  }

  /**
   * Regression: grpc-go clients ping to probe bandwidth while data flows (etcd's watch benchmark did), so pings on a
   * connection with an open stream are not strikes.
   */
  @Test
  void pingsWhileAStreamIsOpenAreForgiven(Vertx vertx) throws Exception {
    try (TestMember m = TestMember.start(vertx, dir, b -> b.grpcKeepaliveMinTimeMs(1000))) {
      var client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false));
      CompletableFuture<HttpConnection> conn = new CompletableFuture<>();
      client.request(new io.vertx.core.http.RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
              .setPort(m.clientPort()).setURI("/etcdserverpb.Watch/Watch").putHeader("content-type", "application/grpc")
              .putHeader("te", "trailers"))
          .onSuccess(req -> {
            req.setChunked(true).write(Buffer.buffer()); // opens the stream and leaves it open
            conn.complete(req.connection());
          })
          .onFailure(conn::completeExceptionally);
      HttpConnection c = conn.get(10, TimeUnit.SECONDS);
      CompletableFuture<Void> closed = new CompletableFuture<>();
      c.closeHandler(v -> closed.complete(null));
      Thread.sleep(200);
      for (int i = 0; i < 6; i++) {
        c.ping(Buffer.buffer(new byte[8]));
        Thread.sleep(300);
      }
      Thread.sleep(300);
      assertFalse(closed.isDone(), "a connection with an open stream was sent away for its pings");
    }
  }
}
