package io.vetch.server.watch;

import java.util.Arrays;

/**
 * The synced watchers of one key, in an array: a fan-out walks them in order, with no entry object between one
 * watcher and the next (a hash set's linked entries cost a cache miss each when a thousand watchers get one event).
 * Adding and removing take constant time; a removal moves the last watcher into the gap, so the order is not the
 * order of adding. A watcher is in at most one such set ({@link Watcher#slot}). What a fan-out needs of a plain
 * watcher is kept in arrays beside, so that it reads no watcher object. Event-loop confined.
 */
final class KeyWatchers {
  private Watcher[] watchers = new Watcher[4];
  /** In the same slots as the watchers: their ids, their streams and their plainFrom (below). */
  private long[] ids = new long[4];
  private WatchStream[] streams = new WatchStream[4];
  /**
   * The revision from which the watcher takes every event as it is, in a response of its own with nothing added
   * (its nextRev, which stays put while it is synced), or Long.MAX_VALUE when its responses are not such plain ones
   * (filters, prev_kv, fragments, progress notifications): a fan-out then asks the watcher itself.
   */
  private long[] plainFrom = new long[4];
  private int size;

  int size() {
    return size;
  }

  Watcher get(int i) {
    return watchers[i];
  }

  long id(int i) {
    return ids[i];
  }

  WatchStream stream(int i) {
    return streams[i];
  }

  long plainFrom(int i) {
    return plainFrom[i];
  }

  void add(Watcher w) {
    if (size == watchers.length) {
      watchers = Arrays.copyOf(watchers, size * 2);
      ids = Arrays.copyOf(ids, size * 2);
      streams = Arrays.copyOf(streams, size * 2);
      plainFrom = Arrays.copyOf(plainFrom, size * 2);
    }
    w.slot = size;
    put(size++, w);
  }

  private void put(int i, Watcher w) {
    watchers[i] = w;
    ids[i] = w.id;
    streams[i] = w.stream;
    plainFrom[i] = w.plain() ? w.nextRev : Long.MAX_VALUE;
  }

  /** Removes w if it is here; returns whether it was. */
  boolean remove(Watcher w) {
    int i = w.slot;
    if (i < 0 || i >= size || watchers[i] != w) {
      return false;
    }
    Watcher last = watchers[--size];
    put(i, last);
    last.slot = i;
    watchers[size] = null;
    streams[size] = null;
    w.slot = -1;
    return true;
  }

  /** The watchers, copied: a caller may move them to other sets while it walks the copy. */
  Watcher[] toArray() {
    return Arrays.copyOf(watchers, size);
  }
}
