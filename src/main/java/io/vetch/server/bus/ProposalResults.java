package io.vetch.server.bus;

import io.vetch.transport.LocalDelivery;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
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

  /** Collects results by address, then sends one message to each. Not thread-safe: one per batch. */
  public static final class Batch {
    private final EventBus bus;
    private String firstTo;
    private List<ProposalResult> first;
    private Map<String, List<ProposalResult>> others;
    private int size;

    public Batch(EventBus bus) {
      this.bus = bus;
    }

    public void add(String to, ProposalResult r) {
      size++;
      if (firstTo == null) {
        firstTo = to;
        first = new ArrayList<>();
      }
      if (firstTo.equals(to)) {
        first.add(r);
      } else {
        if (others == null) {
          others = new HashMap<>();
        }
        others.computeIfAbsent(to, k -> new ArrayList<>()).add(r);
      }
    }

    /** Sends what was added; returns how many results. */
    public int send() {
      if (firstTo != null) {
        bus.send(firstTo, new ProposalResults(first), OPTIONS);
      }
      if (others != null) {
        others.forEach((to, rs) -> bus.send(to, new ProposalResults(rs), OPTIONS));
      }
      return size;
    }
  }
}
