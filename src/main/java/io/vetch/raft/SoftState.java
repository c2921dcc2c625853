package io.vetch.raft;

/** Volatile state that need not be persisted: the known leader (0 if none) and this member's role. */
public record SoftState(long lead, StateType state) {
}
