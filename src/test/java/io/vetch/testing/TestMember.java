package io.vetch.testing;

import io.vetch.server.config.ServerConfig;
import io.vetch.server.VetchServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** A vetch member in this JVM on free loopback ports; several can form a cluster in one Vert.x instance. */
public final class TestMember implements AutoCloseable {
  private final Vertx vertx;
  private final ServerConfig config;
  private final VetchServer server;

  private TestMember(Vertx vertx, ServerConfig config, VetchServer server) {
    this.vertx = vertx;
    this.config = config;
    this.server = server;
  }

  /** A single-member cluster with its data in dataDir. */
  public static TestMember start(Vertx vertx, Path dataDir) throws Exception {
    return start(vertx, dataDir, b -> b);
  }

  public static TestMember start(Vertx vertx, Path dataDir, UnaryOperator<ServerConfig.Builder> tweak) throws Exception {
    return cluster(vertx, List.of(dataDir), tweak).get(0);
  }

  /** One member per data dir (named t0, t1, ...), all in one new cluster. */
  public static List<TestMember> cluster(Vertx vertx, List<Path> dataDirs, UnaryOperator<ServerConfig.Builder> tweak)
      throws Exception {
    int n = dataDirs.size();
    int[] client = new int[n];
    URI[] peer = new URI[n];
    Map<String, List<URI>> cluster = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      client[i] = freePort();
      peer[i] = URI.create("http://127.0.0.1:" + freePort());
      cluster.put("t" + i, List.of(peer[i]));
    }
    List<TestMember> members = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      URI clientUrl = URI.create("http://127.0.0.1:" + client[i]);
      ServerConfig cfg = tweak.apply(ServerConfig.builder().name("t" + i).dataDir(dataDirs.get(i))
          .listenClientUrls(List.of(clientUrl)).advertiseClientUrls(List.of(clientUrl))
          .listenPeerUrls(List.of(peer[i])).initialAdvertisePeerUrls(List.of(peer[i]))
          .initialCluster(cluster)).build();
      members.add(start(vertx, cfg));
    }
    return members;
  }

  public ServerConfig config() {
    return config;
  }

  /**
   * A new member joining the cluster of existing (added first with MemberAdd on these peer URLs): same settings,
   * its own data dir and ports, --initial-cluster-state existing.
   */
  public static TestMember join(Vertx vertx, TestMember existing, String name, Path dataDir, URI peerUrl)
      throws Exception {
    URI clientUrl = URI.create("http://127.0.0.1:" + freePort());
    Map<String, List<URI>> cluster = new LinkedHashMap<>(existing.config.initialCluster());
    cluster.put(name, List.of(peerUrl));
    return start(vertx, existing.config.toBuilder().name(name).dataDir(dataDir).listenClientUrls(List.of(clientUrl))
        .advertiseClientUrls(List.of(clientUrl)).listenPeerUrls(List.of(peerUrl))
        .initialAdvertisePeerUrls(List.of(peerUrl)).initialCluster(cluster).initialClusterState("existing").build());
  }

  private static TestMember start(Vertx vertx, ServerConfig cfg) throws Exception {
    VetchServer server = VetchServer.start(vertx, cfg).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return new TestMember(vertx, cfg, server);
  }

  /** Starts this (closed) member again from its data directory, same ports. */
  public TestMember restart() throws Exception {
    return start(vertx, config);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + clientPort();
  }

  public int clientPort() {
    return config.listenClientUrls().get(0).getPort();
  }

  public VetchServer server() {
    return server;
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  public static int freePort() throws IOException {
    while (true) {
      try (ServerSocket s = new ServerSocket(0)) {
        if (HANDED_OUT.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      }
    }
  }

  /**
   * Every port freePort returned in this JVM: it never returns one twice. The system may hand the same free port to
   * two calls in a row, and a test that picks several ports before binding them (a cluster's client, peer and proxy
   * ports) then binds two listeners to one port ("address already in use", seen in RobustnessIT).
   */
  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();
}
