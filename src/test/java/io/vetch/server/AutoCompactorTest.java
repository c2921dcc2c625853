package io.vetch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.MaintenanceGrpcClient;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.HashKVRequest;
import io.vetch.testing.TestMember;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The revision auto-compactor keeps the last N revisions (its period shortened from etcd's 5 minutes). */
@ExtendWith(VertxExtension.class)
class AutoCompactorTest {
  @TempDir Path dir;

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void revisionModeKeepsTheLastRevisions(Vertx vertx) throws Exception {
    try (TestMember m = TestMember.start(vertx, dir, b -> b.autoCompactionMode("revision")
        .autoCompactionRetention("10").revisionCompactionIntervalMs(200))) {
      GrpcClient grpc = GrpcClient.client(vertx);
      SocketAddress addr = SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1");
      KVGrpcClient kv = KVGrpcClient.create(grpc, addr);
      for (int i = 0; i < 30; i++) {
        await(kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
            .setValue(ByteString.copyFromUtf8("v" + i)).build()));
      }
      MaintenanceGrpcClient mt = MaintenanceGrpcClient.create(grpc, addr);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      long compacted;
      // A tick during the puts may compact lower first; the one after them compacts to 31 - 10.
      while ((compacted = await(mt.hashKV(HashKVRequest.getDefaultInstance())).getCompactRevision()) != 21) {
        if (System.nanoTime() > deadline) {
          fail("auto-compaction reached revision " + compacted + ", not 21 (current revision 31 less the 10 kept)");
        }
        Thread.sleep(50);
      }
      Thread.sleep(500);
      assertEquals(21, await(mt.hashKV(HashKVRequest.getDefaultInstance())).getCompactRevision(), "nothing more");
      await(grpc.close());
    }
  }
}
