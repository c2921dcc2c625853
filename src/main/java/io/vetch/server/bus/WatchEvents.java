package io.vetch.server.bus;

import io.vetch.api.mvccpb.Event;
import java.util.List;

/**
 * Published by the storage worker after each applied batch that changed the store: revisions (fromRev, toRev]
 * with their events, grouped by revision in txn order. revisions is null when the store jumped without events
 * to hand (a snapshot was installed): watchers then read (fromRev, toRev] from the store.
 */
public record WatchEvents(long fromRev, long toRev, List<Revision> revisions) {
  /** The events of one revision, in the order its txn made them. */
  public record Revision(long revision, List<Event> events) {}
}
