package io.vetch.embed;

import io.vetch.server.VetchServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A vetch member running inside an application's own Vert.x instance: the same server as {@code bin/vetch}
 * (gRPC and the JSON gateway on its client URL, Raft with its peers), plus {@link #client()}, which talks to it
 * over the event bus with no network hop. Several members, of one cluster or of several, may share a Vert.x.
 *
 * <pre>{@code
 * Vetch.start(vertx, new VetchOptions().dataDir(Path.of("data")))
 *     .compose(v -> v.client().put("greeting", "hello"));
 * }</pre>
 */
public final class Vetch {
  private final VetchServer server;
  private final VetchClient client;

  private Vetch(Vertx vertx, VetchServer server) {
    this.server = server;
    this.client = new VetchClient(vertx, server.memberId(), null);
  }

  /** Starts a member; completes once it serves (a new cluster's members then elect a leader among themselves). */
  public static Future<Vetch> start(Vertx vertx, VetchOptions options) {
    return Future.<io.vetch.server.config.ServerConfig>future(p -> p.complete(options.build()))
        .compose(cfg -> VetchServer.start(vertx, cfg))
        .map(server -> new Vetch(vertx, server));
  }

  /**
   * Starts a new cluster of size members on loopback ports picked here, named m0, m1, ..., with their data under
   * baseDir/m0, baseDir/m1, ...
   */
  public static Future<List<Vetch>> startCluster(Vertx vertx, Path baseDir, int size) {
    return vertx.executeBlocking(() -> {
      List<VetchOptions> members = new ArrayList<>();
      StringBuilder cluster = new StringBuilder();
      List<String> peers = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        peers.add("http://127.0.0.1:" + freePort());
        cluster.append(i == 0 ? "" : ",").append("m").append(i).append('=').append(peers.get(i));
      }
      for (int i = 0; i < size; i++) {
        members.add(new VetchOptions().name("m" + i).dataDir(baseDir.resolve("m" + i))
            .clientUrl("http://127.0.0.1:" + freePort()).peerUrl(peers.get(i)).initialCluster(cluster.toString()));
      }
      return members;
    }).compose(members -> {
      List<Future<Vetch>> started = new ArrayList<>();
      members.forEach(o -> started.add(start(vertx, o)));
      return Future.all(started).map(all -> started.stream().map(Future::result).toList());
    });
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The in-process client of this member. */
  public VetchClient client() {
    return client;
  }

  public long memberId() {
    return server.memberId();
  }

  public long clusterId() {
    return server.clusterId();
  }

  /** The URLs gRPC clients (etcdctl, jetcd) reach this member on. */
  public List<String> clientUrls() {
    return server.config().advertiseClientUrls().stream().map(Object::toString).toList();
  }

  /** Stops the member (its data stays in its data directory). */
  public Future<Void> close() {
    return server.close();
  }
}
