package io.vetch.transport;

/**
 * A client write a follower hands to the leader (to = leader's member id). The follower answers its client when it
 * applies the entry carrying this request id itself, so nothing travels back.
 */
public record ForwardedProposal(long to, long id, byte[] data) {}
