package io.vetch.transport;

/**
 * Event-bus addresses the transport uses, each "transport." and its component's name in kebab case after the member's
 * prefix. The transport consumes: send (RaftMessages), forward
 * (ForwardedProposal), peers (PeerMap: the members to keep links to) and sendSnapshot (OutboundSnapshot, answered
 * when the peer has stored it). It publishes: received (each inbound raftpb.Message), proposed (ForwardedProposal)
 * and receivedSnapshot (InboundSnapshot); keepAlive (ForwardedKeepAlive, to the leader) comes out as the lease id (a
 * Long) on keepAliveReceived.
 */
public record TransportAddresses(String send, String forward, String received, String proposed, String peers,
    String sendSnapshot, String receivedSnapshot, String keepAlive, String keepAliveReceived) {

  public static TransportAddresses of(String prefix) {
    String p = prefix + "transport.";
    return new TransportAddresses(p + "send", p + "forward", p + "received", p + "proposed", p + "peers",
        p + "send-snapshot", p + "received-snapshot", p + "keep-alive", p + "keep-alive-received");
  }
}
