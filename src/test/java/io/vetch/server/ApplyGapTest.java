package io.vetch.server;

import io.vetch.server.base.MemberStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.testing.TestMember;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.core.net.SocketAddress;
import io.vetch.api.etcdserverpb.ClusterGrpcClient;
import io.vetch.api.etcdserverpb.MemberListRequest;
import java.util.concurrent.TimeUnit;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's bound on pending proposals: while apply lags commit by more than 5000 entries, new proposals fail with
 * RESOURCE_EXHAUSTED "etcdserver: too many requests", reads go on, and writes resume once apply catches up. The lag is
 * staged through the member's published status (a real one needs a stalled apply loop).
 */
@ExtendWith(VertxExtension.class)
class ApplyGapTest {
  @TempDir Path dir;

  private static PutRequest put(String k) {
    return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(k)).setValue(ByteString.copyFromUtf8("v")).build();
  }

  @Test
  void proposalsAreRefusedWhileApplyLagsCommitFarBehind(Vertx vertx) throws Exception {
    try (TestMember m = TestMember.start(vertx, dir)) {
      KVGrpcClient kv = RestartTest.kv(vertx, m);
      RestartTest.await(kv.put(put("before")));
      ClusterGrpcClient cluster = ClusterGrpcClient.create(GrpcClient.client(vertx),
          SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1"));
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (RestartTest.await(cluster.memberList(MemberListRequest.getDefaultInstance())).getMembers(0)
          .getClientURLsCount() == 0) { // its client URLs go through Raft at startup: stage the lag once committed
        assertTrue(System.nanoTime() < until, "the member published its attributes");
        Thread.sleep(50);
      }
      MemberStatus status = m.server().status();
      long commit = status.commitIndex();
      status.commitIndex(status.appliedIndex() + 5001);

      ExecutionException e = assertThrows(ExecutionException.class, () -> RestartTest.await(kv.put(put("during"))));
      assertEquals(GrpcStatus.RESOURCE_EXHAUSTED, ((InvalidStatusException) e.getCause()).actualStatus());
      status.commitIndex(status.appliedIndex() + 5001);
      JsonObject body = RestartTest.await(vertx.createHttpClient().request(HttpMethod.POST, m.clientPort(), "127.0.0.1",
          "/v3/kv/put").compose(r -> r.send(Buffer.buffer("{\"key\":\"ZHVyaW5n\",\"value\":\"dg==\"}")))
          .compose(r -> r.body().map(b -> b.toJsonObject().put("http", r.statusCode()))));
      assertEquals("etcdserver: too many requests", body.getString("message"), body.encode());
      assertEquals(8, body.getInteger("code"));
      assertEquals(429, body.getInteger("http"));
      assertEquals(1, RestartTest.await(kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("before"))
          .build())).getCount(), "reads are served meanwhile");

      status.commitIndex(commit);
      RestartTest.await(kv.put(put("after")));
      assertEquals(0, RestartTest.await(kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("during"))
          .build())).getCount(), "the refused put was not applied");
    }
  }
}
