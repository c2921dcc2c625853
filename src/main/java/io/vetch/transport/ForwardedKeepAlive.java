package io.vetch.transport;

/** A lease keep-alive a follower hands to the leader (to = leader's member id). Nothing travels back. */
public record ForwardedKeepAlive(long to, long leaseId) {}
