package io.vetch.cli;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.Compare;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.PutResponse;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RangeResponse;
import io.vetch.api.etcdserverpb.RequestOp;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.api.etcdserverpb.TxnResponse;
import io.vetch.api.etcdserverpb.WatchCreateRequest;
import io.vetch.api.etcdserverpb.WatchGrpcClient;
import io.vetch.api.etcdserverpb.WatchRequest;
import io.vetch.server.config.ServerConfig;
import io.vetch.server.VetchServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.ServiceMethod;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Warms the JVM up before the member serves (--warmup, on by default for bin/vetch): a throwaway single-node member
 * in a temporary directory on free loopback ports is sent a few thousand puts, reads, txns and watch events over real
 * gRPC, then closed and deleted. The JIT compiles the request paths and the classes load before the first client
 * arrives, so a fresh member answers at full speed from its first requests (a cold JVM spends its first seconds in
 * the interpreter and the compiler). A member of a cluster also warms the paths between members: a throwaway
 * two-member cluster is sent a few hundred puts, reads and txns through both members (proposals forwarded, entries
 * replicated, read indexes asked of the leader), as few as the JIT needs to compile them. Requests are made the way
 * grpc-go (etcd's own client) makes them ({@link GoLikeKv}), so that what such clients exercise is compiled too. The
 * member's own data is never touched. Costs 2-3 s of startup (a member of three on two cores: about 8 s); any failure
 * is logged and startup goes on.
 */
final class Warmup {
  private static final Logger LOG = Logger.getLogger(Warmup.class.getName());
  private static final int CLIENTS = 8;
  private static final int ROUNDS = 120;
  private static final int WATCHERS = 100;
  /** Puts one at a time at the end: a serial load turns on the waits of StorageHandoff and SpinningEpoll. */
  private static final int SERIAL_PUTS = 200;
  /**
   * Fresh client connections at the end, each carrying one put: what a connection costs the member once (its
   * HTTP/2 pipeline, the first stream) is compiled too, so a new client's first call does not run it interpreted.
   */
  private static final int CONNECTIONS = 40;
  /**
   * Rounds per client of the two-member phase, PAIR_CLIENTS clients per member: the follower forwards two proposals a
   * round, and the interpreter asks for a compilation only every 128 calls of a method.
   */
  private static final int PEER_ROUNDS = 40;
  private static final int PAIR_CLIENTS = 4;
  private static final long TIMEOUT_SECONDS = 20;

  private Warmup() {}

  /**
   * Runs the warm-up on vertx, with the two-member phase when peers, and returns the watch events the throwaway
   * member delivered, or -1 if it failed (logged; startup goes on). Not on an event loop.
   */
  static long run(Vertx vertx, boolean peers) {
    long start = System.nanoTime();
    Path dir = null;
    VetchServer server = null;
    try {
      dir = Files.createTempDirectory("vetch-warmup");
      Path where = dir;
      LOG.info(() -> "warming the JVM up on a throwaway member in " + where + " (--warmup=false skips this)");
      String host = host();
      URI client = URI.create("http://" + host + ":" + freePort(host));
      URI peer = URI.create("http://" + host + ":" + freePort(host));
      ServerConfig cfg = ServerConfig.builder().name("warmup").dataDir(dir.resolve("data"))
          .listenClientUrls(List.of(client)).advertiseClientUrls(List.of(client))
          .listenPeerUrls(List.of(peer)).initialAdvertisePeerUrls(List.of(peer))
          .initialCluster(Map.of("warmup", List.of(peer))).build();
      server = await(VetchServer.start(vertx, cfg));
      long events = await(traffic(vertx, SocketAddress.inetSocketAddress(client.getPort(), host)));
      await(server.close());
      server = null;
      if (peers) {
        pair(vertx, dir, host);
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      int requests = CLIENTS * ROUNDS * 5 + SERIAL_PUTS + CONNECTIONS;
      LOG.info(() -> "warm-up done in " + ms + " ms (" + requests + " requests, " + events
          + " watch events" + (peers ? ", then " + 2 * PAIR_CLIENTS * PEER_ROUNDS * 3 + " through a two-member cluster)"
          : ")"));
      return events;
    } catch (Exception e) {
      LOG.log(Level.WARNING, "warm-up skipped: " + e, e);
      return -1;
    } finally {
      if (server != null) {
        try {
          await(server.close());
        } catch (Exception e) {
          LOG.log(Level.WARNING, "closing the warm-up member failed: " + e);
        }
      }
      if (dir != null) {
        delete(dir);
      }
    }
  }

  /** The two-member phase: a throwaway cluster in dir, PAIR_CLIENTS loops through each member, then closed. */
  private static void pair(Vertx vertx, Path dir, String host) throws Exception {
    List<URI> clients = List.of(URI.create("http://" + host + ":" + freePort(host)),
        URI.create("http://" + host + ":" + freePort(host)));
    List<URI> peers = List.of(URI.create("http://" + host + ":" + freePort(host)),
        URI.create("http://" + host + ":" + freePort(host)));
    Map<String, List<URI>> cluster = Map.of("warmup-0", List.of(peers.get(0)), "warmup-1", List.of(peers.get(1)));
    List<VetchServer> members = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        members.add(await(VetchServer.start(vertx, ServerConfig.builder().name("warmup-" + i)
            .dataDir(dir.resolve("pair-" + i)).listenClientUrls(List.of(clients.get(i)))
            .advertiseClientUrls(List.of(clients.get(i))).listenPeerUrls(List.of(peers.get(i)))
            .initialAdvertisePeerUrls(List.of(peers.get(i))).initialCluster(cluster)
            .initialClusterToken("vetch-warmup").heartbeatIntervalMs(10).electionTimeoutMs(100).build())));
      }
      GrpcClient grpc = GrpcClient.client(vertx);
      try {
        ByteString value = ByteString.copyFrom(new byte[256]);
        await(together(2, member -> {
          GoLikeKv kv = new GoLikeKv(grpc, SocketAddress.inetSocketAddress(clients.get(member).getPort(), host));
          return elected(vertx, kv, System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS))
              .compose(v -> together(PAIR_CLIENTS, c -> inTurn(PEER_ROUNDS, round -> putReadTxn(kv,
                  ByteString.copyFromUtf8("warmup/pair/" + member + "/" + c + "/" + round), value))));
        }));
      } finally {
        grpc.close();
      }
    } finally {
      for (VetchServer m : members) {
        await(m.close());
      }
    }
  }

  /** Completes once a put through kv succeeds (the pair has a leader), retrying every 20 ms until deadline. */
  private static Future<Void> elected(Vertx vertx, GoLikeKv kv, long deadline) {
    return kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("warmup/elected")).build())
        .<Void>mapEmpty()
        .recover(e -> {
          if (System.nanoTime() > deadline) {
            return Future.failedFuture(e);
          }
          Promise<Void> later = Promise.promise();
          vertx.setTimer(20, id -> elected(vertx, kv, deadline).onComplete(later));
          return later.future();
        });
  }

  /** A put of key, a linearizable read of it and a txn that puts it again if it exists (else reads it). */
  private static Future<Void> putReadTxn(GoLikeKv kv, ByteString key, ByteString value) {
    Compare exists = Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.MOD)
        .setResult(Compare.CompareResult.GREATER).setModRevision(0).build();
    return kv.put(PutRequest.newBuilder().setKey(key).setValue(value).build())
        .compose(r -> kv.range(RangeRequest.newBuilder().setKey(key).build()))
        .compose(r -> kv.txn(TxnRequest.newBuilder().addCompare(exists)
            .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key).setValue(value)))
            .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key))).build()))
        .mapEmpty();
  }

  /**
   * Watchers on one key, then CLIENTS loops of a put to the watched key, a serializable read and putReadTxn, then
   * SERIAL_PUTS puts one at a time, then CONNECTIONS puts each on a connection of its own.
   */
  private static Future<Long> traffic(Vertx vertx, SocketAddress addr) {
    GrpcClient grpc = GrpcClient.client(vertx);
    GoLikeKv kv = new GoLikeKv(grpc, addr);
    ByteString watched = ByteString.copyFromUtf8("warmup/watched");
    ByteString value = ByteString.copyFrom(new byte[256]);
    AtomicLong events = new AtomicLong();
    Promise<Void> created = Promise.promise();
    Promise<GrpcClientRequest<WatchRequest, ?>> stream = Promise.promise();
    grpc.request(addr, WatchGrpcClient.Watch).onSuccess(req -> {
      stream.complete(req);
      req.response().onSuccess(resp -> resp.handler(r -> {
        events.addAndGet(r.getEventsCount());
        if (r.getCreated() && r.getWatchId() == WATCHERS - 1) {
          created.tryComplete();
        }
      })).onFailure(created::tryFail);
      for (int i = 0; i < WATCHERS; i++) {
        req.write(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(watched)).build());
      }
    }).onFailure(created::tryFail);
    return created.future()
        .compose(v -> together(CLIENTS, c -> inTurn(ROUNDS, round -> {
          ByteString key = ByteString.copyFromUtf8("warmup/" + c + "/" + round); // new keys grow the key index
          return kv.put(PutRequest.newBuilder().setKey(watched).setValue(value).build())
              .compose(r -> kv.range(RangeRequest.newBuilder().setKey(key).setSerializable(true).build()))
              .compose(r -> putReadTxn(kv, key, value));
        })))
        .compose(v -> inTurn(SERIAL_PUTS, i -> kv.put(PutRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("warmup/serial/" + i)).setValue(value).build())))
        .compose(v -> inTurn(CONNECTIONS, i -> {
          GrpcClient fresh = GrpcClient.client(vertx);
          return new GoLikeKv(fresh, addr).put(PutRequest.newBuilder()
              .setKey(ByteString.copyFromUtf8("warmup/connection/" + i)).setValue(value).build())
              .eventually(fresh::close);
        }))
        .eventually(() -> stream.future().compose(req -> req.end()).otherwiseEmpty())
        .eventually(grpc::close)
        .map(v -> events.get());
  }

  /** step(0), step(1), ..., step(times - 1), each once the one before it has succeeded. */
  private static Future<Void> inTurn(int times, IntFunction<Future<?>> step) {
    return inTurn(0, times, step);
  }

  private static Future<Void> inTurn(int i, int times, IntFunction<Future<?>> step) {
    return i == times ? Future.succeededFuture() : step.apply(i).compose(r -> inTurn(i + 1, times, step));
  }

  /** step(0) ... step(count - 1) started together; completes once all have succeeded. */
  private static Future<Void> together(int count, IntFunction<Future<?>> step) {
    List<Future<?>> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      all.add(step.apply(i));
    }
    return Future.all(all).mapEmpty();
  }

  /**
   * KV calls made as grpc-go makes them: each carries a deadline, so a grpc-timeout header whose value changes from
   * call to call (the remaining time of the caller's context), which HPACK adds to its dynamic table, evicting older
   * entries; on every fourth call a header value Huffman-coded, as grpc-go codes every string (Netty's encoder only
   * codes those of 512 bytes or more); and after a response a PING, as grpc-go's bandwidth estimator sends: never
   * while one is unacknowledged (several at once on a connection with no stream open are strikes to the keepalive
   * policy, which answers GOAWAY too_many_pings).
   */
  private static final class GoLikeKv {
    private static final String PADDING = "0123456789".repeat(52);
    private final GrpcClient grpc;
    private final SocketAddress addr;
    private final AtomicLong calls = new AtomicLong(); // the loops run on the client's event loops
    private final AtomicBoolean pinging = new AtomicBoolean(); // a PING not acknowledged yet

    GoLikeKv(GrpcClient grpc, SocketAddress addr) {
      this.grpc = grpc;
      this.addr = addr;
    }

    Future<PutResponse> put(PutRequest r) {
      return call(KVGrpcClient.Put, r);
    }

    Future<RangeResponse> range(RangeRequest r) {
      return call(KVGrpcClient.Range, r);
    }

    Future<TxnResponse> txn(TxnRequest r) {
      return call(KVGrpcClient.Txn, r);
    }

    private <Req, Resp> Future<Resp> call(ServiceMethod<Resp, Req> method, Req msg) {
      long n = calls.incrementAndGet();
      return grpc.request(addr, method).compose(req -> {
        req.timeout(TimeUnit.SECONDS.toMicros(TIMEOUT_SECONDS) - n, TimeUnit.MICROSECONDS);
        if (n % 4 == 0) {
          req.headers().set("vetch-warmup", n + PADDING);
        }
        return req.send(msg).compose(GrpcClientResponse::last).onSuccess(resp -> {
          if (pinging.compareAndSet(false, true)) { // one at a time, as grpc-go's estimator pings
            byte[] ping = new byte[8];
            ping[7] = (byte) n;
            req.connection().ping(Buffer.buffer(ping)).onComplete(ack -> pinging.set(false));
          }
        });
      });
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * The loopback address the throwaway member listens on: 127.0.0.2 where all of 127.0.0.0/8 is the loopback
   * (Linux), so that its ports can never be ones that members starting beside it on 127.0.0.1 picked as free and
   * have not bound yet (a test cluster saw "address already in use" that way); 127.0.0.1 elsewhere.
   */
  private static String host() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.2"))) {
      return "127.0.0.2";
    } catch (IOException e) {
      return "127.0.0.1";
    }
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return s.getLocalPort();
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.log(Level.WARNING, "could not delete the warm-up directory " + dir + ": " + e);
    }
  }
}
