package io.vetch.server.bus;

/** The storage worker made batch seq durable (WAL written and fsynced), or failed to (error non-null: fatal). */
public record Persisted(long seq, Throwable error) {}
