package io.vetch.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RangeResponse;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.testing.VetchProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability: kill -9 a bin/vetch process ten times while concurrent clients write, restart it each time, and check
 * that every acknowledged put survived with the value and mod revision it was acknowledged with, and that the
 * store's revision never goes back.
 */
class KillNineIT {
  private static final int ROUNDS = 10;
  private static final int CONCURRENCY = 32;
  private static final long WRITE_MILLIS = 1500;

  @TempDir Path dir;

  @Test
  void everyAcknowledgedWriteSurvivesKillNine() throws Exception {
    Vertx vertx = Vertx.vertx();
    // the final range returns every key written: allow large responses
    GrpcClient grpc = GrpcClient.client(vertx, new GrpcClientOptions().setMaxMessageSize(256L << 20));
    Map<String, Long> acked = new ConcurrentHashMap<>(); // key -> acknowledged mod revision
    long maxRevisionSeen = 0;
    try (VetchProcess p = new VetchProcess(dir.resolve("data"), dir.resolve("vetch.log"))) {
      for (int round = 0; round < ROUNDS; round++) {
        p.start();
        KVGrpcClient kv = KVGrpcClient.create(grpc, SocketAddress.inetSocketAddress(p.clientPort(), "127.0.0.1"));
        RangeResponse all = awaitReady(kv, p);
        assertTrue(all.getHeader().getRevision() >= maxRevisionSeen,
            "revision went back: " + all.getHeader().getRevision() + " < " + maxRevisionSeen);
        verify(all, acked);

        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong seq = new AtomicLong();
        int r = round;
        for (int w = 0; w < CONCURRENCY; w++) {
          vertx.runOnContext(v -> writeLoop(kv, r, seq, writing, acked));
        }
        Thread.sleep(WRITE_MILLIS);
        p.kill9(); // with writes in flight
        writing.set(false);
        long roundMax = acked.values().stream().mapToLong(Long::longValue).max().orElse(0);
        maxRevisionSeen = Math.max(maxRevisionSeen, roundMax);
        assertTrue(acked.size() > (round + 1) * 10L, "too few writes acknowledged: " + acked.size());
      }
      p.start();
      KVGrpcClient kv = KVGrpcClient.create(grpc, SocketAddress.inetSocketAddress(p.clientPort(), "127.0.0.1"));
      RangeResponse all = awaitReady(kv, p);
      verify(all, acked);
      assertTrue(all.getHeader().getRevision() >= maxRevisionSeen);
      System.out.printf("kill -9 x%d: %d acknowledged writes all present, revision %d%n", ROUNDS, acked.size(),
          all.getHeader().getRevision());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static void writeLoop(KVGrpcClient kv, int round, AtomicLong seq, AtomicBoolean writing,
      Map<String, Long> acked) {
    if (!writing.get()) {
      return;
    }
    String key = "dur/" + round + "/" + seq.incrementAndGet();
    kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v-" + key))
            .build())
        .onSuccess(resp -> {
          acked.put(key, resp.getHeader().getRevision()); // an answer racing the kill counts too: it was acknowledged
          writeLoop(kv, round, seq, writing, acked);
        })
        .onFailure(err -> writeLoop(kv, round, seq, writing, acked));
  }

  private static RangeResponse awaitReady(KVGrpcClient kv, VetchProcess p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      try {
        Future<RangeResponse> f = kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("dur/"))
            .setRangeEnd(ByteString.copyFromUtf8("dur0")).build());
        return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        last = e;
        Thread.sleep(200);
      }
    }
    throw new AssertionError("vetch did not come back; its log ends with:\n" + p.logTail(), last);
  }

  private static void verify(RangeResponse all, Map<String, Long> acked) {
    Map<String, KeyValue> present = new java.util.HashMap<>();
    for (KeyValue kv : all.getKvsList()) {
      present.put(kv.getKey().toString(StandardCharsets.UTF_8), kv);
    }
    for (Map.Entry<String, Long> e : acked.entrySet()) {
      KeyValue kv = present.get(e.getKey());
      assertTrue(kv != null, "acknowledged key lost: " + e.getKey());
      assertEquals("v-" + e.getKey(), kv.getValue().toString(StandardCharsets.UTF_8));
      assertEquals((long) e.getValue(), kv.getModRevision(), "mod revision of " + e.getKey());
    }
  }
}
