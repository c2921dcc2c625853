package io.vetch.it.jetcd;

import static io.vetch.it.jetcd.KvScenarios.b;
import static io.vetch.it.jetcd.KvScenarios.get;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;

/** What jetcd sees over gRPC of a cluster embedded in a Vert.x application (see io.vetch.embed.EmbedTest). */
public final class EmbedScenarios {
  private EmbedScenarios() {}

  /** Reads what the in-process client wrote on another member, then writes for it to read back. */
  public static void readsWhatTheInProcessClientWrote(String endpoint) throws Exception {
    try (Client c = Client.builder().endpoints(endpoint).build()) {
      var r = get(c.getKVClient().get(b("embed/k")));
      assertEquals(1, r.getCount());
      assertEquals("from-the-event-bus", r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
      get(c.getKVClient().put(b("embed/j"), b("from-jetcd")));
    }
  }
}
