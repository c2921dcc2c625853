package io.vetch.testing;

import io.vetch.server.ServerConfig;
import io.vetch.server.VetchServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A single-member vetch server in this JVM, on free loopback ports, with its data in dataDir. */
public final class TestMember implements AutoCloseable {
  private final Vertx vertx;
  private final VetchServer server;
  private final int clientPort;

  private TestMember(Vertx vertx, VetchServer server, int clientPort) {
    this.vertx = vertx;
    this.server = server;
    this.clientPort = clientPort;
  }

  public static TestMember start(Vertx vertx, Path dataDir) throws Exception {
    return start(vertx, dataDir, b -> b);
  }

  public static TestMember start(Vertx vertx, Path dataDir, java.util.function.UnaryOperator<ServerConfig.Builder> tweak)
      throws Exception {
    int client = freePort();
    int peer = freePort();
    URI peerUrl = URI.create("http://127.0.0.1:" + peer);
    Map<String, List<URI>> cluster = new LinkedHashMap<>();
    cluster.put("t1", List.of(peerUrl));
    ServerConfig cfg = tweak.apply(ServerConfig.builder().name("t1").dataDir(dataDir)
        .listenClientUrls(List.of(URI.create("http://127.0.0.1:" + client)))
        .advertiseClientUrls(List.of(URI.create("http://127.0.0.1:" + client)))
        .listenPeerUrls(List.of(peerUrl)).initialAdvertisePeerUrls(List.of(peerUrl))
        .initialCluster(cluster)).build();
    VetchServer server = VetchServer.start(vertx, cfg).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return new TestMember(vertx, server, client);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + clientPort;
  }

  public int clientPort() {
    return clientPort;
  }

  public VetchServer server() {
    return server;
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
