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
      for (int i = 0; i < 5; i++) {
        eager.ping(Buffer.buffer(new byte[8]));
        Thread.sleep(50);
      }
      eagerClosed.get(5, TimeUnit.SECONDS);
      for (int i = 0; i < 3; i++) {
        calm.ping(Buffer.buffer(new byte[8])).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        Thread.sleep(1100);
      }
      assertFalse(calmClosed.isDone(), "a client pinging slower than the minimum was closed");
      assertTrue(eagerClosed.isDone());
    }
  }
}
