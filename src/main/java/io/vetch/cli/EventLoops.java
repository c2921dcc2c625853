package io.vetch.cli;

import io.vetch.server.config.ServerConfig;
import java.net.URI;
import java.util.List;

/**
 * How many event loops a standalone member runs: the cores, shared among the members of its initial cluster that
 * run on the same host (its own peer URL's host, or any loopback address when it is on loopback), at least one.
 * Every wake-up of a sleeping thread is a system call, and on two cores shared by three members the fewer threads
 * a request crosses the less CPU it costs (measured in docs/performance.md, round 5). {@code -Dvetch.eventLoops=N}
 * overrides it.
 */
final class EventLoops {
  private EventLoops() {}

  static int size(ServerConfig cfg, int cores) {
    Integer forced = Integer.getInteger("vetch.eventLoops");
    if (forced != null && forced > 0) {
      return forced;
    }
    return Math.max(1, cores / membersOnThisHost(cfg));
  }

  /** The members of the initial cluster whose first peer URL is on this member's host (this member included). */
  static int membersOnThisHost(ServerConfig cfg) {
    List<URI> own = cfg.initialAdvertisePeerUrls();
    if (own.isEmpty()) {
      return 1;
    }
    String host = own.get(0).getHost();
    int n = 0;
    for (List<URI> urls : cfg.initialCluster().values()) {
      if (!urls.isEmpty() && sameHost(host, urls.get(0).getHost())) {
        n++;
      }
    }
    return Math.max(1, n);
  }

  private static boolean sameHost(String a, String b) {
    return a.equalsIgnoreCase(b) || (loopback(a) && loopback(b));
  }

  private static boolean loopback(String host) {
    return host != null && (host.equalsIgnoreCase("localhost") || host.startsWith("127.") || host.equals("[::1]")
        || host.equals("::1"));
  }
}
