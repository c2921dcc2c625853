package io.vetch.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.CompactionRequest;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RangeResponse;
import io.vetch.testing.TestMember;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** KV.Range as RangeHandler serves it: a reply of many chunks, etcd's errors, and malformed calls. */
@ExtendWith(VertxExtension.class)
class RangeHandlerTest {
  @TempDir Path dir;

  private record Reply(String status, String message) {}

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Future<Reply> raw(HttpClient client, int port, Buffer body) {
    return RawGrpc.call(client, port, RangeHandler.PATH, body).map(r -> new Reply(r.status(), r.message()));
  }

  @Test
  void largeRepliesChunkedErrorsAsEtcdAndMalformedCallsRefused(Vertx vertx) throws Exception {
    try (TestMember m = TestMember.start(vertx, dir, b -> b.maxRequestBytes(64 * 1024))) {
      KVGrpcClient kv = KVGrpcClient.create(
          GrpcClient.client(vertx, new io.vertx.grpc.client.GrpcClientOptions().setMaxMessageSize(16 << 20)),
          SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1"));
      byte[] value = new byte[2000];
      for (int i = 0; i < 300; i++) {
        value[0] = (byte) i;
        await(kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(String.format("k/%04d", i)))
            .setValue(ByteString.copyFrom(value)).build()));
      }
      // 300 keys of 2 KB: a reply of about 600 KB, written in 64 KiB chunks
      RangeResponse all = await(kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k/"))
          .setRangeEnd(ByteString.copyFromUtf8("k0")).build()));
      assertEquals(300, all.getKvsCount());
      assertEquals(300, all.getCount());
      for (int i = 0; i < 300; i++) {
        assertEquals(String.format("k/%04d", i), all.getKvs(i).getKey().toStringUtf8());
        assertEquals((byte) i, all.getKvs(i).getValue().byteAt(0));
      }
      RangeResponse limited = await(kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k/"))
          .setRangeEnd(ByteString.copyFromUtf8("k0")).setLimit(2).setKeysOnly(true).build()));
      assertEquals(2, limited.getKvsCount());
      assertTrue(limited.getMore());
      assertTrue(limited.getKvs(0).getValue().isEmpty());

      long rev = all.getHeader().getRevision();
      await(kv.compact(CompactionRequest.newBuilder().setRevision(rev - 10).build()));
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false));
      byte[] old = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k/0001")).setRevision(rev - 20).build()
          .toByteArray();
      assertEquals(new Reply("11", "etcdserver: mvcc: required revision has been compacted"),
          await(raw(client, m.clientPort(), Buffer.buffer().appendByte((byte) 0).appendInt(old.length)
              .appendBytes(old))));
      byte[] get = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k/0001")).build().toByteArray();
      Reply compressed = await(raw(client, m.clientPort(),
          Buffer.buffer().appendByte((byte) 1).appendInt(get.length).appendBytes(get)));
      assertEquals(new Reply("12", "grpc: compressed messages are not supported"), compressed);
      Reply none = await(raw(client, m.clientPort(), Buffer.buffer()));
      assertEquals("13", none.status());
      Reply huge = await(raw(client, m.clientPort(), Buffer.buffer().appendByte((byte) 0).appendInt(1 << 20)
          .appendBytes(new byte[1 << 20])));
      assertEquals("8", huge.status());
      Reply two = await(raw(client, m.clientPort(), Buffer.buffer().appendByte((byte) 0).appendInt(get.length)
          .appendBytes(get).appendByte((byte) 0).appendInt(get.length).appendBytes(get)));
      assertEquals("13", two.status());
      assertEquals(300, await(kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k/"))
          .setRangeEnd(ByteString.copyFromUtf8("k0")).setCountOnly(true).build())).getCount(), "still serving");
      await(client.close());
    }
  }
}
