package io.vetch.v2;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * A v2 watch (etcd's watcher): events of its key (or below it when recursive) from its sinceIndex on. A watch that
 * the event history could answer holds that one event and is not registered; otherwise it waits in the hub, for one
 * event, or for every event when it streams. Events are handed to the consumer given to {@link #onEvent}: those
 * already there at once, later ones on the thread applying the change, under the store's locks, so the consumer must
 * only pass the event on (to its own context) and never call the store. Thread-safe.
 */
public final class V2Watcher {
  final String key;
  final boolean recursive;
  final boolean stream;
  final long sinceIndex;
  private final long startIndex;
  private final WatcherHub hub;
  private final ArrayDeque<V2Event> pending = new ArrayDeque<>();
  private Consumer<V2Event> consumer;
  /** True once out of the hub (or never in it); guarded by the hub. */
  boolean removed;

  V2Watcher(WatcherHub hub, String key, boolean recursive, boolean stream, long sinceIndex, long startIndex) {
    this.hub = hub;
    this.key = key;
    this.recursive = recursive;
    this.stream = stream;
    this.sinceIndex = sinceIndex;
    this.startIndex = startIndex;
  }

  /** The store index when the watch began (etcd's StartIndex: the X-Etcd-Index header of a watch answer). */
  public long startIndex() {
    return startIndex;
  }

  public boolean stream() {
    return stream;
  }

  /** Sets the consumer of this watch's events and hands it those already delivered, in order. */
  public void onEvent(Consumer<V2Event> c) {
    synchronized (hub) {
      consumer = c;
      while (!pending.isEmpty()) {
        c.accept(pending.poll());
      }
    }
  }

  /** Stops the watch (etcd's Remove): no more events. Idempotent. */
  public void remove() {
    hub.remove(this);
  }

  /** etcd's watcher.notify: delivers {@code e} when this watch wants it; the hub holds its lock. */
  boolean notify(V2Event e, boolean originalPath, boolean deleted) {
    if ((recursive || originalPath || deleted) && Long.compareUnsigned(e.index(), sinceIndex) >= 0) {
      deliver(e);
      return true;
    }
    return false;
  }

  void deliver(V2Event e) {
    if (consumer == null) {
      pending.add(e);
    } else {
      consumer.accept(e);
    }
  }
}
