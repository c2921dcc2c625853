package io.vetch.server.bus;

import io.vetch.api.mvccpb.Event;
import java.util.List;

/**
 * Published by the storage worker after each applied batch that changed the store: revisions (fromRev, toRev]
 * with their events, grouped by revision in txn order. revisions is null when the store jumped without events
 * to hand (a snapshot was installed): watchers then read (fromRev, toRev] from the store.
 *
 * <p>Not durable: a lone member's batch applied while its WAL write is under way (its revisions still unseen),
 * published ahead so that the event loops can frame its responses meanwhile. Nothing of it may reach a client: the
 * same batch follows as durable once its write is, or never (the write failed). Only watchers look at it.
 */
public record WatchEvents(long fromRev, long toRev, List<Revision> revisions, boolean durable) {
  /** Durable events, as every batch but a held one publishes them. */
  public WatchEvents(long fromRev, long toRev, List<Revision> revisions) {
    this(fromRev, toRev, revisions, true);
  }

  /** The events of one revision, in the order its txn made them. */
  public record Revision(long revision, List<Event> events) {}
}
