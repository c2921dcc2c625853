package io.vetch.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.CompactionRequest;
import io.vetch.api.etcdserverpb.DeleteRangeRequest;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RangeResponse;
import io.vetch.api.etcdserverpb.RequestOp;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.api.etcdserverpb.TxnResponse;
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
import io.vetch.api.etcdserverpb.PutResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KV calls as KvStreams serves them: Range's reply of many chunks, etcd's errors, and malformed calls of every
 * method answered with grpc-go's status and message (the generic gRPC server reset the stream on a malformed Put and
 * left a Put without a message unanswered).
 */
@ExtendWith(VertxExtension.class)
class KvStreamsTest {
  @TempDir Path dir;

  private record Reply(String status, String message) {}

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Future<Reply> raw(HttpClient client, int port, Buffer body) {
    return raw(client, port, "/etcdserverpb.KV/Range", body);
  }

  private static Future<Reply> raw(HttpClient client, int port, String path, Buffer body) {
    return RawGrpc.call(client, port, path, body).map(r -> new Reply(r.status(), r.message()));
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

  @Test
  void writesServedAndTheirMalformedCallsRefusedAsGrpcGoRefusesThem(Vertx vertx) throws Exception {
    try (TestMember m = TestMember.start(vertx, dir, b -> b.maxRequestBytes(64 * 1024))) {
      int port = m.clientPort();
      KVGrpcClient kv = KVGrpcClient.create(GrpcClient.client(vertx),
          SocketAddress.inetSocketAddress(port, "127.0.0.1"));
      PutRequest put = PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("a"))
          .setValue(ByteString.copyFromUtf8("1")).build();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      long rev;
      while (true) { // until the member leads
        try {
          rev = await(kv.put(put)).getHeader().getRevision();
          break;
        } catch (Exception e) {
          if (System.nanoTime() > until) {
            throw e;
          }
          Thread.sleep(50);
        }
      }
      TxnResponse txn = await(kv.txn(TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder()
          .setRequestPut(put.toBuilder().setValue(ByteString.copyFromUtf8("2")))).build()));
      assertTrue(txn.getSucceeded());
      assertEquals(rev + 1, txn.getHeader().getRevision());
      assertEquals(1, await(kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("a"))
          .build())).getDeleted());
      await(kv.compact(CompactionRequest.newBuilder().setRevision(rev + 1).build()));

      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false));
      assertEquals(new Reply("3", "etcdserver: key is not provided"),
          await(raw(client, port, "/etcdserverpb.KV/Put", RawGrpc.frame(new byte[0]))));
      assertEquals(new Reply("11", "etcdserver: mvcc: required revision has been compacted"),
          await(raw(client, port, "/etcdserverpb.KV/Compact",
              RawGrpc.frame(CompactionRequest.newBuilder().setRevision(rev).build().toByteArray()))));
      Map<String, byte[]> requests = Map.of("Put", put.toByteArray(),
          "DeleteRange", DeleteRangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("b")).build().toByteArray(),
          "Txn", TxnRequest.newBuilder().build().toByteArray(),
          "Compact", CompactionRequest.newBuilder().setRevision(rev + 1).build().toByteArray());
      for (Map.Entry<String, byte[]> e : requests.entrySet()) {
        String path = "/etcdserverpb.KV/" + e.getKey();
        byte[] ok = e.getValue();
        Reply garbage = await(raw(client, port, path, RawGrpc.frame(new byte[] {(byte) 0xff, 1, 2})));
        assertEquals("13", garbage.status(), path);
        assertTrue(garbage.message().startsWith("grpc: error unmarshalling request: "), garbage.message());
        assertEquals(new Reply("13", "grpc: no request message for a unary call"),
            await(raw(client, port, path, Buffer.buffer())), path);
        assertEquals(new Reply("13", "grpc: too many request messages for a unary call"),
            await(raw(client, port, path, RawGrpc.frame(ok).appendBuffer(RawGrpc.frame(ok)))), path);
        assertEquals(new Reply("12", "grpc: compressed messages are not supported"),
            await(raw(client, port, path, Buffer.buffer().appendByte((byte) 1).appendInt(ok.length).appendBytes(ok))),
            path);
        assertEquals(new Reply("8", "grpc: received message larger than max (1048576 vs. 589824)"),
            await(raw(client, port, path, RawGrpc.frame(new byte[1 << 20]))), path);
      }
      HttpClient h1 = vertx.createHttpClient(new HttpClientOptions());
      assertEquals(415, await(RawGrpc.call(h1, port, "/etcdserverpb.KV/Put", RawGrpc.frame(put.toByteArray())))
          .http(), "gRPC over HTTP/1 is refused, as the generic server refuses it");
      await(h1.close());
      assertFalse(await(kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("a")).build()))
          .getKvsCount() > 0, "no refused call was applied");
      await(client.close());
    }
  }

  /**
   * Small replies go out directly (one buffer, header blocks that use no header table) and large ones through the
   * codec's flow controller and HPACK encoder; many of each in flight on one connection must all arrive whole, the
   * codec's blocks still in step with the client's header table.
   */
  @Test
  void repliesWrittenDirectlyAndThroughTheCodecShareAConnection(Vertx vertx) throws Exception {
    try (TestMember m = TestMember.start(vertx, dir, b -> b.maxRequestBytes(256 * 1024))) {
      KVGrpcClient kv = KVGrpcClient.create(
          GrpcClient.client(vertx, new io.vertx.grpc.client.GrpcClientOptions().setMaxMessageSize(16 << 20)),
          SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1"));
      byte[] big = new byte[40_000]; // a previous value larger than a frame: that reply takes the codec's path
      for (int round = 0; round < 3; round++) {
        List<Future<PutResponse>> large = new ArrayList<>();
        List<Future<PutResponse>> small = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          big[0] = (byte) (round * 20 + i);
          await(kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("big/" + i))
              .setValue(ByteString.copyFrom(big)).build()));
        }
        for (int i = 0; i < 200; i++) {
          if (i % 10 == 0) {
            large.add(kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("big/" + i / 10))
                .setValue(ByteString.copyFromUtf8("x")).setPrevKv(true).build()));
          }
          small.add(kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("small/" + i))
              .setValue(ByteString.copyFromUtf8("v" + round)).build()));
        }
        await(Future.all(new ArrayList<>(large)));
        await(Future.all(new ArrayList<>(small)));
        for (int i = 0; i < large.size(); i++) {
          PutResponse r = large.get(i).result();
          assertEquals(40_000, r.getPrevKv().getValue().size());
          assertEquals((byte) (round * 20 + i), r.getPrevKv().getValue().byteAt(0));
        }
        long lastRevision = 0;
        for (Future<PutResponse> f : small) {
          assertTrue(f.result().getHeader().getRevision() > lastRevision);
          lastRevision = f.result().getHeader().getRevision();
        }
        RangeResponse smalls = await(kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("small/"))
            .setRangeEnd(ByteString.copyFromUtf8("small0")).build()));
        assertEquals(200, smalls.getCount());
        String expected = "v" + round;
        assertTrue(smalls.getKvsList().stream().allMatch(kvp -> kvp.getValue().toStringUtf8().equals(expected)));
      }
    }
  }

  /**
   * A client whose SETTINGS shrink the header table it decodes with: the server's encoder owes it a table size update
   * at the start of its next header block, which a reply's constant blocks (written without the encoder) must not
   * get ahead of. Netty's decoder, as the client's, refuses a block without it.
   */
  @Test
  void aClientThatShrinksItsHeaderTableGetsTheSizeUpdateFirst(Vertx vertx) throws Exception {
    try (TestMember m = TestMember.start(vertx, dir)) {
      for (long size : new long[] {0, 100, 4096}) {
        GrpcClient client = GrpcClient.client(vertx, new io.vertx.grpc.client.GrpcClientOptions(),
            new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
                .setInitialSettings(new io.vertx.core.http.Http2Settings().setHeaderTableSize(size)));
        KVGrpcClient kv = KVGrpcClient.create(client, SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1"));
        for (int i = 0; i < 5; i++) {
          PutResponse r = await(kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("t/" + size + "/" + i))
              .setValue(ByteString.copyFromUtf8("v")).build()));
          assertTrue(r.getHeader().getRevision() > 0, "table size " + size);
        }
        await(client.close());
      }
    }
  }
}
