package io.vetch.transport;

import java.net.URI;
import java.util.Map;

/** The peer URL of every other member the transport should talk to; replaces the previous map. */
public record PeerMap(Map<Long, URI> peers) {
  public PeerMap {
    peers = Map.copyOf(peers);
  }
}
