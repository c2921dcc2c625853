package io.vetch.server.grpc;

import static io.vetch.server.grpc.RawGrpc.call;
import static io.vetch.server.grpc.RawGrpc.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.server.grpc.RawGrpc.Reply;
import io.vetch.testing.TestMember;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Abuse on the client port: malformed protobuf to every kind of method, random bytes, oversized messages, a length
 * prefix announcing 4 GiB, a Watch stream sent garbage, and more concurrent streams than --max-concurrent-streams.
 * Each gets an error for its own call only; the member stays up, keeps its data, and answers a proper client.
 */
@ExtendWith(VertxExtension.class)
class AbuseTest {
  @TempDir Path dir;

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void malformedAndAbusiveCallsFailAloneAndTheMemberServesOn(Vertx vertx) throws Exception {
    try (TestMember m = TestMember.start(vertx, dir, b -> b.maxConcurrentStreams(100).maxRequestBytes(64 * 1024))) {
      int port = m.clientPort();
      KVGrpcClient kv = KVGrpcClient.create(GrpcClient.client(vertx), SocketAddress.inetSocketAddress(port, "127.0.0.1"));
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        try {
          await(kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("keep")).setValue(ByteString.copyFromUtf8("me")).build()));
          break;
        } catch (Exception e) {
          if (System.nanoTime() > until) {
            throw e;
          }
          Thread.sleep(50);
        }
      }
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false).setHttp2MultiplexingLimit(1000), new PoolOptions().setHttp2MaxSize(1));
      Random random = new Random(7);
      List<Future<Reply>> pending = new ArrayList<>();
      List<String> cases = new ArrayList<>();
      String[] paths = {"/etcdserverpb.KV/Put", "/etcdserverpb.KV/Range", "/etcdserverpb.KV/Txn",
          "/etcdserverpb.Lease/LeaseGrant", "/etcdserverpb.Auth/UserAdd", "/etcdserverpb.Maintenance/Status",
          "/etcdserverpb.Cluster/MemberAdd"};
      for (String path : paths) {
        byte[] garbage = new byte[64];
        random.nextBytes(garbage);
        Reply r = await(call(client, port, path, frame(garbage)));
        assertNotEquals("0", r.status(), path + " accepted random bytes");
        cases.add("random protobuf to " + path + " -> grpc-status " + r.status());
        // A message cut short (its prefix says 100 bytes, 10 come, then the stream ends): the generic gRPC server
        // leaves that call waiting, KvStreams answers it INTERNAL; either way it holds up nothing else.
        pending.add(call(client, port, path, Buffer.buffer().appendByte((byte) 0).appendInt(100)
            .appendBytes(new byte[10])));
      }
      Reply huge = await(call(client, port, "/etcdserverpb.KV/Put", frame(PutRequest.newBuilder()
          .setKey(ByteString.copyFromUtf8("big")).setValue(ByteString.copyFrom(new byte[2 * 1024 * 1024])).build()
          .toByteArray())));
      assertNotEquals("0", huge.status(), "a 2 MiB message was accepted");
      cases.add("2 MiB message (limit 64 KiB + 512 KiB) -> " + huge.status());
      // A length prefix announcing 4 GiB followed by 16 bytes: that call waits for the rest (it is never answered
      // with OK), and nothing else is held up by it.
      Future<Reply> announced = call(client, port, "/etcdserverpb.KV/Put",
          Buffer.buffer().appendByte((byte) 0).appendInt(-1).appendBytes(new byte[16]));
      assertEquals("me", await(kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("keep")).build()))
          .getKvs(0).getValue().toStringUtf8());
      pending.add(announced);
      for (Future<Reply> p : pending) {
        assertTrue(!p.isComplete() || p.failed() || !"0".equals(p.result().status()), "a cut message succeeded");
      }
      cases.add(pending.size() - 1 + " messages cut short -> pending, others served");
      cases.add("length prefix of 4 GiB -> pending, others served");
      Reply watchGarbage =
          await(call(client, port, "/etcdserverpb.Watch/Watch", frame(new byte[] {(byte) 0xff, 1, 2})));
      assertNotEquals("0", watchGarbage.status(), "a Watch stream accepted garbage");
      cases.add("garbage on a Watch stream -> " + watchGarbage.status());

      // 300 concurrent streams on a connection of their own, limited to 100: the excess is refused.
      client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false).setHttp2MultiplexingLimit(1000), new PoolOptions().setHttp2MaxSize(1));
      // (the streams left pending above stay on the first connection)
      // 300 concurrent streams on one connection limited to 100: the excess is refused, nothing else breaks.
      List<Future<Reply>> streams = new ArrayList<>();
      byte[] get = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("keep")).build().toByteArray();
      for (int i = 0; i < 300; i++) {
        streams.add(call(client, port, "/etcdserverpb.KV/Range", frame(get)));
      }
      int served = 0;
      for (Future<Reply> f : streams) {
        try {
          if ("0".equals(await(f).status())) {
            served++;
          }
        } catch (Exception refused) {
          // refused streams fail on the client side
        }
      }
      assertTrue(served >= 100, "only " + served + " of 300 streams served");
      cases.add("300 concurrent streams with --max-concurrent-streams 100 -> " + served + " served");

      assertEquals("me", await(kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("keep")).build()))
          .getKvs(0).getValue().toStringUtf8(), "the member still serves, data intact");
      System.out.println("abuse cases: " + cases);
      await(client.close());
    }
  }
}
