package io.vetch.raft;

import java.util.Map;

/**
 * A point-in-time copy of a member's Raft state for diagnostics. {@code progress} (leader only, else empty) maps
 * member id to a human-readable progress line (state, match, next).
 */
public record Status(long id, long term, long vote, long commit, long applied, long lead, StateType state,
    Map<Long, String> progress) {
}
