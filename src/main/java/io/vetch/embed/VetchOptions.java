package io.vetch.embed;

import io.vetch.server.config.ServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * How to start one embedded member: its name, data directory and URLs, with etcd's defaults for everything
 * else. {@link #configure} reaches every setting the command line has (limits, auth, TLS, compaction...).
 */
public final class VetchOptions {
  private final ServerConfig.Builder b = ServerConfig.builder();

  /** The member's name (etcd's --name). */
  public VetchOptions name(String name) {
    b.name(name);
    return this;
  }

  /** Where the member keeps its WAL, snapshots and store (--data-dir). */
  public VetchOptions dataDir(Path dir) {
    b.dataDir(dir);
    return this;
  }

  /** The URL clients (gRPC, the JSON gateway) reach the member on (--listen-client-urls and --advertise-...). */
  public VetchOptions clientUrl(String url) {
    b.listenClientUrls(List.of(URI.create(url))).advertiseClientUrls(List.of(URI.create(url)));
    return this;
  }

  /** The URL peers reach the member on (--listen-peer-urls and --initial-advertise-peer-urls). */
  public VetchOptions peerUrl(String url) {
    b.listenPeerUrls(List.of(URI.create(url))).initialAdvertisePeerUrls(List.of(URI.create(url)));
    return this;
  }

  /** The initial cluster as etcd writes it: {@code name=peerUrl,name=peerUrl,...} (--initial-cluster). */
  public VetchOptions initialCluster(String members) {
    java.util.Map<String, List<URI>> m = new java.util.LinkedHashMap<>();
    for (String part : members.split(",")) {
      String[] kv = part.split("=", 2);
      m.computeIfAbsent(kv[0].trim(), k -> new java.util.ArrayList<>()).add(URI.create(kv[1].trim()));
    }
    b.initialCluster(m);
    return this;
  }

  /** Any other setting, on the server's configuration builder. */
  public VetchOptions configure(UnaryOperator<ServerConfig.Builder> change) {
    change.apply(b);
    return this;
  }

  ServerConfig build() {
    return b.build();
  }
}
