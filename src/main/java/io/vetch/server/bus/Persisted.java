package io.vetch.server.bus;

/**
 * The storage worker made batch seq durable (WAL written and fsynced), or failed to (error non-null: fatal). unsent:
 * those of the batch's {@link StorageBatch#sendAfterPersist} messages the worker did not send itself.
 */
public record Persisted(long seq, Throwable error, java.util.List<io.vetch.api.raftpb.Message> unsent) {}
