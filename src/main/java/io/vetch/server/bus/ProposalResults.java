package io.vetch.server.bus;

import java.util.List;

/**
 * Results for the proposals one client context is waiting for, sent to its address one batch at a time (what the
 * storage worker applied in one batch, or what the raft verticle refused), rather than a reply per proposal.
 */
public record ProposalResults(List<ProposalResult> results) {}
