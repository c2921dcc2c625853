package io.vetch.server.watch;

import static io.vetch.server.watch.WatchClientStream.watch;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vetch.api.etcdserverpb.WatchGrpcClient;
import io.vetch.api.etcdserverpb.WatchResponse;
import io.vetch.testing.TestMember;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A Watch stream holds at most --experimental-max-watchers-per-stream watchers; a create past it is canceled. */
@ExtendWith(VertxExtension.class)
class WatchLimitsTest {
  @TempDir Path dir;

  @Test
  void createsPastTheBoundAreCanceled(Vertx vertx) throws Exception {
    try (TestMember m = TestMember.start(vertx, dir, b -> b.maxWatchersPerStream(3))) {
      WatchGrpcClient watch = WatchGrpcClient.create(GrpcClient.client(vertx),
          SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1"));
      WatchClientStream s = WatchClientStream.open(watch, watch("a").build());
      s.create(watch("b").build());
      s.create(watch("c").build());
      s.create(watch("d").build());
      s.awaitCount(() -> s.created() == 4, 10_000);
      List<WatchResponse> rs = s.received().stream().filter(WatchResponse::getCreated).toList();
      assertEquals(List.of(false, false, false, true), rs.stream().map(WatchResponse::getCanceled).toList());
      assertEquals("etcdserver: too many watchers on this stream", rs.get(3).getCancelReason());
    }
  }
}
