package io.vetch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vetch.server.config.ServerConfig;
import io.vetch.server.config.Urls;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ServerConfig lives in io.vetch.server; its builder contract is tested here with its only parser. */
class ServerConfigTest {

  @Test
  void toBuilderRoundTripsAndDerivesCopies() {
    ServerConfig a = ServerConfig.builder().name("m1").heartbeatIntervalMs(50).build();
    ServerConfig b = a.toBuilder().snapshotCount(10).build();
    assertEquals(a.toString().replace("snapshotCount=100000", "snapshotCount=10"), b.toString());
    assertEquals(20, b.electionTicks());
  }

  @Test
  void quotaZeroIsDefaultNegativeDisables() {
    assertEquals(Long.MAX_VALUE, ServerConfig.builder().quotaBackendBytes(-1).build().effectiveQuotaBackendBytes());
    assertEquals(1024, ServerConfig.builder().quotaBackendBytes(1024).build().effectiveQuotaBackendBytes());
  }

  @Test
  void initialClusterParsing() {
    Map<String, List<URI>> m = Urls.parseInitialCluster("m1=http://127.0.0.1:2380,m2=http://127.0.0.1:2382");
    assertEquals(List.of("m1", "m2"), List.copyOf(m.keySet()));
    assertEquals(List.of(URI.create("http://127.0.0.1:2382")), m.get("m2"));
    assertThrows(IllegalArgumentException.class, () -> Urls.parseInitialCluster("=http://127.0.0.1:2380"));
    assertThrows(IllegalArgumentException.class, () -> Urls.parseInitialCluster("m1="));
  }

  @Test
  void collectionsAreUnmodifiable() {
    ServerConfig c = ServerConfig.builder().build();
    assertThrows(UnsupportedOperationException.class, () -> c.initialCluster().put("x", List.of()));
    assertThrows(UnsupportedOperationException.class, () -> c.listenClientUrls().add(URI.create("http://a:1")));
  }
}
