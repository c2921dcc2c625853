package io.vetch.cli;

import io.vetch.server.config.ServerConfig;
import java.net.URI;
import java.util.List;

/**
 * How many event loops a standalone member runs: the cores left once each member of its initial cluster that runs
 * on the same host (its own peer URL's host, or any loopback address when it is on loopback) has one for its storage
 * thread, shared among those members, at least one. Every wake-up of a sleeping thread is a system call, and a
 * request that crosses event loops (a proposal to the raft verticle's loop, its answer back) costs one more: on two
 * cores a member alone spends 7-12% less CPU per request with one event loop than with two, and three members share
 * them with one each (docs/performance.md, rounds 5 and 32). {@code -Dvetch.eventLoops=N} overrides it.
 */
final class EventLoops {
  private EventLoops() {}

  static int size(ServerConfig cfg, int cores) {
    Integer forced = Integer.getInteger("vetch.eventLoops");
    if (forced != null && forced > 0) {
      return forced;
    }
    int members = membersOnThisHost(cfg);
    return Math.max(1, (cores - members) / members);
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
