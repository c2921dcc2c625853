package io.vetch.transport;

/**
 * Event-bus addresses the transport uses. send/forward: the transport consumes RaftMessages / ForwardedProposal.
 * received/proposed: the transport publishes each inbound raftpb.Message / ForwardedProposal there.
 */
public record TransportAddresses(String send, String forward, String received, String proposed) {}
