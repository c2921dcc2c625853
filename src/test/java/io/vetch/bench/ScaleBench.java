package io.vetch.bench;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;

/**
 * The scale benchmark of issue 10, run against one server at a time by {@code bin/vetch-bench scale}.
 *
 * <p>It starts the server command it is given as a fresh one-member cluster, then: loads {@code --keys} keys
 * (10 B keys {@code k/%08d}, 256 B values, in transactions of 100 puts) and, at 10k, 100k and the full count,
 * measures put (overwrites) and point-read throughput; measures a 10,000-key range and a count-only range over all
 * keys; reads the server's resident memory; restarts it (SIGTERM, start, first correct read); and finally opens
 * {@code --watchers} watchers over {@code --streams} Watch streams, one key each, reads the memory again and
 * measures event latency (put sent to event received). Every phase checks its answers: wrong counts abort the run.
 *
 * <p>It talks plain grpc-java over jetcd's generated stubs, so it runs on {@code target/jetcd-lib}, not on the
 * Vert.x 5 test class path. The last line printed is one JSON object with every figure.
 */
public final class ScaleBench {
  private static final int CLIENT_PORT = 32391;
  private static final int PEER_PORT = 32392;
  private static final int BATCH = 100;
  private static final long PHASE_MS = 5_000;
  private static final long SETTLE_MS = 15_000;

  private final List<String> command;
  private final Path dir;
  private final int keys;
  private final int watchers;
  private final int streams;
  private final Map<String, Object> out = new LinkedHashMap<>();
  private final ByteString value;
  private Process server;
  private ManagedChannel[] channels;

  private ScaleBench(List<String> command, Path dir, int keys, int watchers, int streams) {
    this.command = command;
    this.dir = dir;
    this.keys = keys;
    this.watchers = watchers;
    this.streams = streams;
    byte[] v = new byte[256];
    new Random(7).nextBytes(v);
    this.value = ByteString.copyFrom(v);
  }

  public static void main(String[] args) throws Exception {
    String label = "server";
    String cmd = null;
    Path dir = null;
    int keys = 1_000_000;
    int watchers = 100_000;
    int streams = 100;
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--label" -> label = v;
        case "--cmd" -> cmd = v;
        case "--dir" -> dir = Path.of(v);
        case "--keys" -> keys = Integer.parseInt(v);
        case "--watchers" -> watchers = Integer.parseInt(v);
        case "--streams" -> streams = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    if (cmd == null || dir == null) {
      throw new IllegalArgumentException("usage: ScaleBench --label L --cmd 'server command' --dir DIR [--keys N]");
    }
    ScaleBench b = new ScaleBench(List.of(cmd.trim().split("\\s+")), dir, keys, watchers, streams);
    b.out.put("sys", label);
    b.out.put("keys", keys);
    try {
      b.run();
    } finally {
      b.stopServer();
    }
    System.out.println(json(b.out));
    System.exit(0);
  }

  private void run() throws Exception {
    long started = startServer();
    awaitServing(started, null);
    channels = new ManagedChannel[8];
    for (int i = 0; i < channels.length; i++) channels[i] = channel();

    int loaded = 0;
    long loadNanos = 0;
    for (int target : new int[] {10_000, 100_000, keys}) {
      if (target > keys || target <= loaded) continue;
      long t0 = System.nanoTime();
      load(loaded, target);
      loadNanos += System.nanoTime() - t0;
      loaded = target;
      int n = loaded;
      out.put("put@" + n, run(64, Long.MAX_VALUE, PHASE_MS, i -> kv(i).put(put(key(rnd(n))))));
      out.put("get@" + n, run(64, Long.MAX_VALUE, PHASE_MS,
          i -> kv(i).range(RangeRequest.newBuilder().setKey(key(rnd(n))).build())));
    }
    out.put("load_keys_per_sec", Math.round(keys / (loadNanos / 1e9)));

    // a range of 10,000 keys and a count over all of them, one at a time
    Stats range = new Stats();
    for (int i = 0; i < 20; i++) {
      int from = rnd(keys - 10_000);
      long t0 = System.nanoTime();
      RangeResponse r = kv(0).range(RangeRequest.newBuilder().setKey(key(from)).setRangeEnd(key(from + 10_000)).build())
          .get(60, TimeUnit.SECONDS);
      range.add(System.nanoTime() - t0);
      check(r.getKvsCount() == 10_000, "range returned " + r.getKvsCount() + " keys");
    }
    out.put("range10k", range.summary(20, 0));
    Stats count = new Stats();
    for (int i = 0; i < 10; i++) {
      long t0 = System.nanoTime();
      RangeResponse r = kv(0).range(countAll()).get(60, TimeUnit.SECONDS);
      count.add(System.nanoTime() - t0);
      check(r.getCount() == keys, "count-only returned " + r.getCount());
    }
    out.put("count_all", count.summary(10, 0));
    Thread.sleep(SETTLE_MS); // both runtimes hand freed memory back to the OS some seconds after a burst
    out.put("rss_mb_loaded", rssMb());
    out.put("disk_mb", diskMb());

    // restart: SIGTERM, start again, time until a linearizable read gives the right answer
    for (ManagedChannel c : channels) c.shutdownNow();
    stopServer();
    started = startServer();
    out.put("restart_ms", awaitServing(started, key(keys - 1)));
    channels = new ManagedChannel[8];
    for (int i = 0; i < channels.length; i++) channels[i] = channel();
    check(kv(0).range(countAll()).get(60, TimeUnit.SECONDS).getCount() == keys, "keys lost over the restart");
    Thread.sleep(SETTLE_MS);
    out.put("rss_mb_restarted", rssMb());

    if (watchers > 0) watchPhase();
  }

  /** Puts keys [from, to) in transactions of {@link #BATCH} puts, 16 in flight. */
  private void load(int from, int to) throws InterruptedException {
    int batches = (to - from + BATCH - 1) / BATCH;
    Stats s = run(16, batches, Long.MAX_VALUE, b -> {
      TxnRequest.Builder t = TxnRequest.newBuilder();
      for (long k = from + b * BATCH; k < Math.min(to, from + (b + 1) * BATCH); k++) {
        t.addSuccess(RequestOp.newBuilder().setRequestPut(put(key((int) k))));
      }
      return kv(b).txn(t.build());
    });
    check(s.errors.get() == 0, "load failed: " + s.firstError.get());
  }

  private void watchPhase() throws Exception {
    long heapBefore = liveHeapKb(); // first: its full GC may shrink a JVM's heap
    long before = rssMb();
    int perStream = watchers / streams;
    CountDownLatch created = new CountDownLatch(perStream * streams);
    AtomicLong events = new AtomicLong();
    int puts = 20_000;
    Stats latency = new Stats();
    List<StreamObserver<WatchRequest>> senders = new ArrayList<>();
    for (int s = 0; s < streams; s++) {
      StreamObserver<WatchRequest> send = WatchGrpc.newStub(channels[s % channels.length]).watch(
          new StreamObserver<>() {
            @Override public void onNext(WatchResponse r) {
              if (r.getCreated()) created.countDown();
              for (Event e : r.getEventsList()) {
                latency.add(System.nanoTime() - e.getKv().getValue().asReadOnlyByteBuffer().getLong());
                events.incrementAndGet();
              }
            }
            @Override public void onError(Throwable t) {
              if (events.get() < puts) System.err.println("watch stream failed: " + t);
            }
            @Override public void onCompleted() { }
          });
      senders.add(send);
      synchronized (send) {
        for (int w = 0; w < perStream; w++) {
          send.onNext(WatchRequest.newBuilder().setCreateRequest(
              WatchCreateRequest.newBuilder().setKey(watchKey(s * perStream + w))).build());
        }
      }
    }
    check(created.await(300, TimeUnit.SECONDS), "watchers not all created: " + created.getCount() + " left");
    Thread.sleep(2_000);
    long heapAfter = liveHeapKb();
    long after = rssMb();
    out.put("watchers", perStream * streams);
    out.put("rss_mb_before_watchers", before);
    out.put("rss_mb_with_watchers", after);
    out.put("bytes_per_watcher", (after - before) * 1024 * 1024 / (perStream * streams));
    if (heapBefore >= 0) { // a JVM's resident size hardly moves while its heap has room: count live heap instead
      out.put("heap_bytes_per_watcher", (heapAfter - heapBefore) * 1024 / (perStream * streams));
    }

    int space = perStream * streams;
    Stats p = run(32, puts, Long.MAX_VALUE, i -> kv(i).put(PutRequest.newBuilder().setKey(watchKey(rnd(space)))
        .setValue(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(0, System.nanoTime()))).build()));
    check(p.errors.get() == 0, "watched puts failed: " + p.firstError.get());
    long deadline = System.currentTimeMillis() + 60_000;
    while (events.get() < puts && System.currentTimeMillis() < deadline) Thread.sleep(10);
    check(events.get() == puts, "events received " + events.get() + " of " + puts);
    out.put("watch_puts", p.summary(puts, p.seconds()));
    out.put("event_latency", latency.summary(puts, 0));
    for (StreamObserver<WatchRequest> s : senders) s.onCompleted();
  }

  // ---- the server process

  private long startServer() throws IOException {
    Files.createDirectories(dir);
    List<String> c = new ArrayList<>(command);
    String client = "http://127.0.0.1:" + CLIENT_PORT;
    String peer = "http://127.0.0.1:" + PEER_PORT;
    c.addAll(List.of("--name", "bench", "--data-dir", dir.resolve("data").toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
        "--initial-cluster", "bench=" + peer, "--initial-cluster-state", "new", "--initial-cluster-token", "bench"));
    long t0 = System.nanoTime();
    server = new ProcessBuilder(c).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
    return t0;
  }

  /** Waits until a linearizable read of {@code probe} (any key when null) answers; returns ms since {@code t0}. */
  private long awaitServing(long t0, ByteString probe) throws Exception {
    long deadline = t0 + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      check(server.isAlive(), "server exited; see " + dir.resolve("server.log"));
      ManagedChannel ch = channel();
      try {
        RangeResponse r = KVGrpc.newBlockingStub(ch).withDeadlineAfter(2, TimeUnit.SECONDS)
            .range(RangeRequest.newBuilder().setKey(probe == null ? ByteString.copyFromUtf8("probe") : probe).build());
        if (probe == null || (r.getKvsCount() == 1 && r.getKvs(0).getValue().equals(value))) {
          return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        }
        throw new IllegalStateException("probe key has the wrong value after restart");
      } catch (io.grpc.StatusRuntimeException e) {
        Thread.sleep(20);
      } finally {
        ch.shutdownNow();
      }
    }
    throw new IllegalStateException("server not serving after 180 s");
  }

  private void stopServer() throws InterruptedException {
    if (server == null) return;
    server.destroy();
    if (!server.waitFor(60, TimeUnit.SECONDS)) server.destroyForcibly().waitFor();
    server = null;
  }

  /** Resident memory of the server process (the JVM itself for bin/vetch, which execs java). */
  private long rssMb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + server.pid() + "/status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
    }
    throw new IllegalStateException("no VmRSS");
  }

  /** For a JVM server: its live heap after a full GC (jcmd), in KiB; -1 for anything else. */
  private long liveHeapKb() throws IOException, InterruptedException {
    String cmdline = Files.readString(Path.of("/proc/" + server.pid() + "/cmdline"));
    if (!cmdline.contains("java")) return -1;
    jcmd("GC.run");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(jcmd("GC.heap_info"));
    check(m.find(), "no heap figure from jcmd");
    return Long.parseLong(m.group(1));
  }

  private String jcmd(String what) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("jcmd", String.valueOf(server.pid()), what).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return text;
  }

  private long diskMb() throws IOException {
    try (var files = Files.walk(dir.resolve("data"))) {
      return files.map(Path::toFile).filter(File::isFile).mapToLong(File::length).sum() / (1024 * 1024);
    }
  }

  // ---- requests

  private static ManagedChannel channel() {
    return ManagedChannelBuilder.forAddress("127.0.0.1", CLIENT_PORT).usePlaintext()
        .maxInboundMessageSize(256 << 20).build();
  }

  private KVGrpc.KVFutureStub kv(long i) {
    return KVGrpc.newFutureStub(channels[(int) (i % channels.length)]);
  }

  private PutRequest put(ByteString key) {
    return PutRequest.newBuilder().setKey(key).setValue(value).build();
  }

  private static RangeRequest countAll() {
    return RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k/")).setRangeEnd(ByteString.copyFromUtf8("k0"))
        .setCountOnly(true).build();
  }

  private static ByteString key(int i) {
    return ByteString.copyFrom(String.format("k/%08d", i), StandardCharsets.US_ASCII);
  }

  private static ByteString watchKey(int i) {
    return ByteString.copyFrom(String.format("w/%06d", i), StandardCharsets.US_ASCII);
  }

  private static int rnd(int n) {
    return ThreadLocalRandom.current().nextInt(n);
  }

  private static void check(boolean ok, String what) {
    if (!ok) throw new IllegalStateException(what);
  }

  /**
   * Closed loop: {@code workers} requests in flight, each issuing the next when it completes, until {@code maxOps}
   * requests or {@code ms} milliseconds; {@code op} gets the request's sequence number.
   */
  private static Stats run(int workers, long maxOps, long ms, LongFunction<ListenableFuture<?>> op)
      throws InterruptedException {
    Stats s = new Stats();
    AtomicLong next = new AtomicLong();
    long deadline = ms == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    CountDownLatch done = new CountDownLatch(workers);
    s.start = System.nanoTime();
    for (int w = 0; w < workers; w++) issue(s, next, maxOps, deadline, done, op);
    done.await();
    s.end = System.nanoTime();
    return s;
  }

  private static void issue(Stats s, AtomicLong next, long maxOps, long deadline, CountDownLatch done,
      LongFunction<ListenableFuture<?>> op) {
    long i = next.getAndIncrement();
    if (i >= maxOps || System.nanoTime() > deadline) {
      done.countDown();
      return;
    }
    long t0 = System.nanoTime();
    ListenableFuture<?> f = op.apply(i);
    f.addListener(() -> {
      try {
        f.get();
        s.add(System.nanoTime() - t0);
      } catch (Exception e) {
        s.errors.incrementAndGet();
        s.firstError.compareAndSet(null, String.valueOf(e.getCause()));
      }
      issue(s, next, maxOps, deadline, done, op);
    }, MoreExecutors.directExecutor());
  }

  /** Latencies in nanoseconds, thread-safe. */
  private static final class Stats {
    private long[] lat = new long[1 << 16];
    private int n;
    long start;
    long end;
    final AtomicLong errors = new AtomicLong();
    final AtomicReference<String> firstError = new AtomicReference<>();

    synchronized void add(long nanos) {
      if (n == lat.length) lat = Arrays.copyOf(lat, n * 2);
      lat[n++] = nanos;
    }

    double seconds() {
      return (end - start) / 1e9;
    }

    /** ops/s over {@code secs} (the run's own span when 0), avg/p50/p99/max in ms. */
    synchronized Map<String, Object> summary(int expected, double secs) {
      long[] l = Arrays.copyOf(lat, n);
      Arrays.sort(l);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ops", n);
      if (secs == 0 && end > start) secs = seconds();
      if (secs > 0) m.put("ops_per_sec", Math.round(n / secs));
      m.put("avg_ms", round(Arrays.stream(l).average().orElse(0) / 1e6));
      m.put("p50_ms", round(pct(l, 0.50) / 1e6));
      m.put("p99_ms", round(pct(l, 0.99) / 1e6));
      m.put("max_ms", round(n == 0 ? 0 : l[n - 1] / 1e6));
      if (errors.get() > 0) m.put("errors", errors.get());
      return m;
    }

    private static double pct(long[] sorted, double p) {
      return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))];
    }
  }

  private static double round(double d) {
    return Math.round(d * 100) / 100.0;
  }

  @SuppressWarnings("unchecked")
  private static String json(Object o) {
    if (o instanceof Map<?, ?> m) {
      StringBuilder b = new StringBuilder("{");
      for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
        if (b.length() > 1) b.append(", ");
        b.append('"').append(e.getKey()).append("\": ").append(json(e.getValue()));
      }
      return b.append('}').toString();
    }
    if (o instanceof Stats s) return json(s.summary(0, 0));
    return o instanceof String ? "\"" + o + "\"" : String.valueOf(o);
  }
}
