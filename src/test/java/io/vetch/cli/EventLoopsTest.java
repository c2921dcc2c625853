package io.vetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vetch.server.config.ServerConfig;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A member's event loops: the cores left after a storage thread each, shared among the initial cluster's members on
 * its host.
 */
class EventLoopsTest {
  private static ServerConfig member(String self, String... peers) {
    Map<String, List<URI>> cluster = new LinkedHashMap<>();
    for (int i = 0; i < peers.length; i++) {
      cluster.put("m" + i, List.of(URI.create(peers[i])));
    }
    return ServerConfig.builder().name("m0").initialAdvertisePeerUrls(List.of(URI.create(self)))
        .listenPeerUrls(List.of(URI.create(self))).initialCluster(cluster).build();
  }

  @Test
  void coresLeftAfterTheStorageThreadsSharedByTheMembersOnThisHost() {
    ServerConfig alone = member("http://127.0.0.1:2380", "http://127.0.0.1:2380");
    assertEquals(1, EventLoops.size(alone, 1));
    assertEquals(1, EventLoops.size(alone, 2));
    assertEquals(7, EventLoops.size(alone, 8));

    ServerConfig threeOnLoopback = member("http://127.0.0.1:2380",
        "http://127.0.0.1:2380", "http://localhost:2382", "http://127.0.0.2:2384");
    assertEquals(3, EventLoops.membersOnThisHost(threeOnLoopback));
    assertEquals(1, EventLoops.size(threeOnLoopback, 2));
    assertEquals(1, EventLoops.size(threeOnLoopback, 8));
    assertEquals(3, EventLoops.size(threeOnLoopback, 12));

    ServerConfig threeHosts = member("http://10.0.0.1:2380",
        "http://10.0.0.1:2380", "http://10.0.0.2:2380", "http://10.0.0.3:2380");
    assertEquals(1, EventLoops.membersOnThisHost(threeHosts));
    assertEquals(3, EventLoops.size(threeHosts, 4));
  }
}
