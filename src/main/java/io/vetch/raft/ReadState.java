package io.vetch.raft;

/**
 * Answer to {@link RawNode#readIndex}: once the local state machine has applied {@code index}, a read issued
 * with {@code requestCtx} is linearizable. The ctx is the caller's bytes, returned as given.
 */
public record ReadState(long index, byte[] requestCtx) {
}
