package io.vetch.transport;

/**
 * What the transport reports about its peers, for metrics: bytes sent and received per peer, and round-trip times
 * (a PING probe to its PONG). Called on the transport's event loop; implementations must be quick and thread-safe.
 */
public interface PeerStats {
  PeerStats NONE = new PeerStats() {
    @Override
    public void sent(long peer, int bytes) {}

    @Override
    public void received(long peer, int bytes) {}

    @Override
    public void roundTrip(long peer, long nanos) {}
  };

  void sent(long peer, int bytes);

  void received(long peer, int bytes);

  void roundTrip(long peer, long nanos);
}
