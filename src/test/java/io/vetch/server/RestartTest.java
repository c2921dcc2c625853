package io.vetch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RangeResponse;
import io.vetch.testing.TestMember;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A member restarted from its data directory, with snapshots and WAL purges along the way, keeps every key and revision. */
@ExtendWith(VertxExtension.class)
class RestartTest {
  @TempDir Path dir;

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static KVGrpcClient kv(Vertx vertx, TestMember m) {
    return KVGrpcClient.create(GrpcClient.client(vertx), SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1"));
  }

  @Test
  void snapshotsPurgeAndRestartKeepEverything(Vertx vertx) throws Exception {
    Path data = dir.resolve("data");
    long revision;
    try (TestMember m = TestMember.start(vertx, data, b -> b.snapshotCount(50))) {
      KVGrpcClient kv = kv(vertx, m);
      List<Future<?>> puts = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        puts.add(kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k/" + i))
            .setValue(ByteString.copyFromUtf8("v" + i)).build()));
      }
      await(Future.all(puts));
      revision = await(kv.range(all())).getHeader().getRevision();
      assertEquals(401, revision);
    }
    try (Stream<Path> snaps = Files.list(data.resolve("member/snap"))) {
      assertTrue(snaps.anyMatch(p -> p.toString().endsWith(".snap")), "a snapshot was saved");
    }
    try (TestMember m = TestMember.start(vertx, data)) {
      KVGrpcClient kv = kv(vertx, m);
      RangeResponse r = await(kv.range(all()));
      assertEquals(revision, r.getHeader().getRevision());
      assertEquals(400, r.getCount());
      long next = await(kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("after"))
          .setValue(ByteString.copyFromUtf8("restart")).build())).getHeader().getRevision();
      assertEquals(revision + 1, next);
    }
  }

  private static RangeRequest all() {
    return RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("\0")).setRangeEnd(ByteString.copyFromUtf8("\0")).build();
  }
}
