package io.vetch.robustness;

import io.vetch.api.etcdserverpb.HashKVRequest;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.LeaseGrpcClient;
import io.vetch.api.etcdserverpb.MaintenanceGrpcClient;
import io.vetch.api.etcdserverpb.ClusterGrpcClient;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.etcdserverpb.MemberAddRequest;
import io.vetch.api.etcdserverpb.MemberListRequest;
import io.vetch.api.etcdserverpb.MemberRemoveRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.StatusRequest;
import io.vetch.api.etcdserverpb.WatchGrpcClient;
import io.vetch.testing.TestMember;
import io.vetch.testing.VetchProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A cluster of bin/vetch processes on loopback for the robustness scenarios, with a {@link PeerProxy} in front of
 * every member's peer port so that traffic between members can be cut (both ways or one way) or delayed, and the
 * faults a process can suffer: kill -9 and restart, SIGSTOP and SIGCONT, replacement (remove, wipe, add again).
 */
final class ProcessCluster implements AutoCloseable {
  private final Path dir;
  private final Vertx vertx = Vertx.vertx();
  /** Responses as large as etcd clients take (a watcher catching up gets many 32 KiB values at once). */
  private final GrpcClient grpc = GrpcClient.client(vertx, new io.vertx.grpc.client.GrpcClientOptions()
      .setMaxMessageSize(512 << 20));
  final List<VetchProcess> members = new ArrayList<>();
  private final List<PeerProxy> proxies = new ArrayList<>();
  private final int[] clientPorts;
  private final int[] realPeerPorts;
  private final int[] proxyPorts;
  /** Member id by index; updated on replacement. */
  final long[] ids;
  /** Cut links "from>to" by member id. */
  private final Set<String> cuts = ConcurrentHashMap.newKeySet();
  private int generation;

  ProcessCluster(Path dir, int size) throws IOException {
    this.dir = dir;
    clientPorts = new int[size];
    realPeerPorts = new int[size];
    proxyPorts = new int[size];
    ids = new long[size];
    StringBuilder cluster = new StringBuilder();
    for (int i = 0; i < size; i++) {
      clientPorts[i] = TestMember.freePort();
      realPeerPorts[i] = TestMember.freePort();
      proxyPorts[i] = TestMember.freePort();
      cluster.append(i == 0 ? "" : ",").append("r").append(i).append("=http://127.0.0.1:").append(proxyPorts[i]);
    }
    for (int i = 0; i < size; i++) {
      int me = i;
      proxies.add(new PeerProxy(proxyPorts[i], realPeerPorts[i], src -> cuts.contains(src + ">" + ids[me])));
      members.add(process(i, "r" + i, cluster.toString(), "new"));
    }
  }

  private VetchProcess process(int i, String name, String cluster, String state) {
    return new VetchProcess(name, dir.resolve(name + "-data"), dir.resolve(name + ".log"), clientPorts[i],
        realPeerPorts[i], cluster).advertisePeerPort(proxyPorts[i]).clusterState(state);
  }

  /**
   * A cluster of size members under dir, started. Its ports are picked free before the members bind them, so
   * another process can take one in between; a member that then fails with "Address already in use" makes it
   * start again on fresh ports (at most three times). Any other failure is thrown.
   */
  static ProcessCluster started(Path dir, int size) throws Exception {
    for (int attempt = 1; ; attempt++) {
      ProcessCluster c = new ProcessCluster(Files.createDirectories(dir.resolve("attempt-" + attempt)), size);
      try {
        c.start();
        return c;
      } catch (Exception | AssertionError e) {
        c.close();
        if (attempt == 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
          throw e;
        }
      }
    }
  }

  int size() {
    return members.size();
  }

  void start() throws Exception {
    for (VetchProcess p : members) {
      p.start();
    }
    for (int i = 0; i < size(); i++) {
      awaitServing(i, 60_000);
    }
    learnIds();
  }

  private void learnIds() throws Exception {
    for (Member m : await(cluster(0).memberList(MemberListRequest.getDefaultInstance())).getMembersList()) {
      for (int i = 0; i < size(); i++) {
        if (m.getName().equals(members.get(i).name())) {
          ids[i] = m.getID();
        }
      }
    }
  }

  /** Waits until member i answers a linearizable read. */
  void awaitServing(int i, long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      try {
        await(kv(i).range(RangeRequest.newBuilder().setKey(Traffic.bytes("ready")).build()), 2_000);
        return;
      } catch (Exception e) {
        if (System.currentTimeMillis() > deadline || !members.get(i).isAlive()) {
          throw new AssertionError("member " + i + " does not serve: " + members.get(i).logTail(), e);
        }
        Thread.sleep(100);
      }
    }
  }

  SocketAddress address(int i) {
    return SocketAddress.inetSocketAddress(clientPorts[i], "127.0.0.1");
  }

  KVGrpcClient kv(int i) { return KVGrpcClient.create(grpc, address(i)); }
  LeaseGrpcClient lease(int i) { return LeaseGrpcClient.create(grpc, address(i)); }
  WatchGrpcClient watch(int i) { return WatchGrpcClient.create(grpc, address(i)); }
  MaintenanceGrpcClient maintenance(int i) { return MaintenanceGrpcClient.create(grpc, address(i)); }
  ClusterGrpcClient cluster(int i) { return ClusterGrpcClient.create(grpc, address(i)); }

  Vertx vertx() {
    return vertx;
  }

  /** The index of the current leader as a live member sees it, or -1. */
  int leader() {
    for (int i = 0; i < size(); i++) {
      if (!members.get(i).isAlive()) {
        continue;
      }
      try {
        long lead = await(maintenance(i).status(StatusRequest.getDefaultInstance()), 2_000).getLeader();
        for (int j = 0; j < size(); j++) {
          if (ids[j] == lead) {
            return j;
          }
        }
      } catch (Exception e) {
        // ask the next one
      }
    }
    return -1;
  }

  int awaitLeader(long timeoutMs) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    int l;
    while ((l = leader()) < 0) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("no leader");
      }
      Thread.sleep(100);
    }
    return l;
  }

  void kill9(int i) throws InterruptedException {
    members.get(i).kill9();
  }

  void restart(int i) throws IOException {
    members.get(i).start();
  }

  void pause(int i) throws Exception {
    signal(i, "STOP");
  }

  void resume(int i) throws Exception {
    signal(i, "CONT");
  }

  private void signal(int i, String sig) throws Exception {
    // bin/vetch execs java: the process is the JVM itself. bash's own kill: no procps needed.
    new ProcessBuilder("bash", "-c", "kill -" + sig + " " + members.get(i).process().pid()).inheritIO().start()
        .waitFor(5, TimeUnit.SECONDS);
  }

  /** Cuts traffic from member a to member b (one way). */
  void cut(int a, int b) {
    cuts.add(ids[a] + ">" + ids[b]);
    proxies.get(b).dropAll();
  }

  /** Cuts member i off from every other member, both ways. */
  void isolate(int i) {
    for (int j = 0; j < size(); j++) {
      if (j != i) {
        cut(i, j);
        cut(j, i);
      }
    }
  }

  void delay(long ms) {
    proxies.forEach(p -> p.delayMs = ms);
  }

  void heal() {
    cuts.clear();
    delay(0);
  }

  /**
   * Replaces member i by a new, empty member at the same URLs, as an operator would after losing its disk: remove
   * it, wipe its data, add it back as a new member and start it (it catches up from the leader).
   */
  void replace(int i) throws Exception {
    int asker = (i + 1) % size();
    members.get(i).kill9();
    long old = ids[i];
    changeMembership(asker, () -> cluster(asker).memberRemove(MemberRemoveRequest.newBuilder().setID(old).build()),
        list -> list.stream().noneMatch(m -> m.getID() == old));
    deleteTree(members.get(i).dataDir());
    String name = "r" + i + "-" + (++generation);
    String peer = "http://127.0.0.1:" + proxyPorts[i];
    Predicate<Member> added = m -> m.getPeerURLsList().contains(peer);
    long id = changeMembership(asker, () -> cluster(asker).memberAdd(MemberAddRequest.newBuilder()
        .addPeerURLs(peer).build()), list -> list.stream().anyMatch(added))
        .stream().filter(added).findFirst().orElseThrow().getID();
    StringBuilder cluster = new StringBuilder();
    for (int j = 0; j < size(); j++) {
      String n = j == i ? name : members.get(j).name();
      cluster.append(j == 0 ? "" : ",").append(n).append("=http://127.0.0.1:").append(proxyPorts[j]);
    }
    VetchProcess p = process(i, name, cluster.toString(), "existing");
    members.set(i, p);
    ids[i] = id;
    p.start();
  }

  /**
   * Asks member asker for a membership change until its linearizable member list shows it done, as an operator
   * would: while the others elect, or while the leader has not yet applied the change before (Raft takes one at a
   * time), a request fails UNAVAILABLE (no leader, leader changed, request timed out) and may still have been
   * applied, so the list decides whether to ask again, after a pause. Any other failure fails the test.
   */
  private List<Member> changeMembership(int asker, Supplier<Future<?>> change, Predicate<List<Member>> done)
      throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      try {
        List<Member> list = await(cluster(asker).memberList(MemberListRequest.newBuilder().setLinearizable(true)
            .build())).getMembersList();
        if (done.test(list)) {
          return list;
        }
        await(change.get(), 15_000);
      } catch (ExecutionException | TimeoutException e) {
        boolean unavailable = e instanceof TimeoutException
            || e.getCause() instanceof InvalidStatusException s && s.actualStatus() == GrpcStatus.UNAVAILABLE;
        if (!unavailable || System.currentTimeMillis() > deadline) {
          throw e;
        }
        System.err.println("membership change through member " + asker + " not done yet: " + e);
        Thread.sleep(2_000);
      }
    }
  }

  /** The newest WAL segment of member i (for disk faults while it is down). */
  Path lastWalSegment(int i) throws IOException {
    try (var files = Files.list(members.get(i).dataDir().resolve("member").resolve("wal"))) {
      return files.filter(f -> f.toString().endsWith(".wal")).max(Comparator.naturalOrder()).orElseThrow();
    }
  }

  /**
   * Heals, waits for every member to serve and to have applied a final write, then returns the HashKV of each at
   * that revision (equal on a correct cluster).
   */
  Map<Integer, Long> converge(long timeoutMs) throws Exception {
    heal();
    for (int i = 0; i < size(); i++) {
      awaitServing(i, timeoutMs);
    }
    long rev = await(kv(0).put(PutRequest.newBuilder().setKey(Traffic.bytes("final"))
        .setValue(Traffic.bytes("write")).build()), 10_000).getHeader().getRevision();
    Map<Integer, Long> hashes = new java.util.TreeMap<>();
    for (int i = 0; i < size(); i++) {
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (await(kv(i).range(RangeRequest.newBuilder().setKey(Traffic.bytes("final")).setSerializable(true)
          .build())).getHeader().getRevision() < rev) {
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("member " + i + " did not catch up to revision " + rev);
        }
        Thread.sleep(50);
      }
      hashes.put(i, (long) await(maintenance(i).hashKV(HashKVRequest.newBuilder().setRevision(rev).build()))
          .getHash());
    }
    return hashes;
  }

  static <T> T await(Future<T> f) throws Exception {
    return await(f, 10_000);
  }

  static <T> T await(Future<T> f, long ms) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(ms, TimeUnit.MILLISECONDS);
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var all = Files.walk(p)) {
      for (Path f : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(f);
      }
    }
  }

  @Override
  public void close() throws Exception {
    for (VetchProcess p : members) {
      if (p.isAlive()) {
        try {
          resume(members.indexOf(p));
        } catch (Exception ignored) {
          // not paused
        }
      }
      p.close();
    }
    proxies.forEach(PeerProxy::close);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
