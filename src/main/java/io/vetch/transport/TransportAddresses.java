package io.vetch.transport;

/**
 * Event-bus addresses the transport uses. The transport consumes: send (RaftMessages), forward
 * (ForwardedProposal), peers (PeerMap: the members to keep links to) and sendSnapshot (OutboundSnapshot, answered
 * when the peer has stored it). It publishes: received (each inbound raftpb.Message), proposed (ForwardedProposal)
 * and receivedSnapshot (InboundSnapshot); keepAlive (ForwardedKeepAlive, to the leader) comes out as the lease id (a
 * Long) on keepAliveReceived.
 */
public record TransportAddresses(String send, String forward, String received, String proposed, String peers,
    String sendSnapshot, String receivedSnapshot, String keepAlive, String keepAliveReceived) {

  public static TransportAddresses of(String prefix) {
    return new TransportAddresses(prefix + "transport.send", prefix + "transport.forward", prefix + "raft.peer-message",
        prefix + "raft.forwarded-proposal", prefix + "transport.peers", prefix + "transport.send-snapshot",
        prefix + "raft.received-snapshot", prefix + "transport.keep-alive", prefix + "lease.keep-alive");
  }
}
