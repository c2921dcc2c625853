package io.vetch.server.bus;

import io.vetch.transport.LocalDelivery;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.grpc.server.StatusException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Results for the requests one client context is waiting for, sent to its address several at a time (what the
 * storage worker applied in one batch, the reads one read-index round confirmed, what the raft verticle refused)
 * rather than a reply per request.
 */
public record ProposalResults(List<ProposalResult> results) {
  /** For sending one. */
  public static final DeliveryOptions OPTIONS = LocalDelivery.of(ProposalResults.class);

  /** Sends request id's error alone to address to: a refusal, outside any batch. */
  public static void refuse(EventBus bus, String to, long id, StatusException error) {
    bus.send(to, new ProposalResults(List.of(new ProposalResult(id, null, error))), OPTIONS);
  }

  /** Collects results by address, then sends one message to each. Not thread-safe: one per batch. */
  public static final class Batch {
    private final EventBus bus;
    private final Map<String, List<ProposalResult>> byAddress = new HashMap<>();
    private int size;

    public Batch(EventBus bus) {
      this.bus = bus;
    }

    public void add(String to, ProposalResult r) {
      size++;
      byAddress.computeIfAbsent(to, k -> new ArrayList<>()).add(r);
    }

    /** Sends what was added; returns how many results. */
    public int send() {
      byAddress.forEach((to, rs) -> bus.send(to, new ProposalResults(rs), OPTIONS));
      return size;
    }
  }
}
