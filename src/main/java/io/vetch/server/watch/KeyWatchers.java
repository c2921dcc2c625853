package io.vetch.server.watch;

import java.util.Arrays;

/**
 * The synced watchers of one key, in an array: a fan-out walks them in order, with no entry object between one
 * watcher and the next (a hash set's linked entries cost a cache miss each when a thousand watchers get one event).
 * Adding and removing take constant time; a removal moves the last watcher into the gap, so the order is not the
 * order of adding. A watcher is in at most one such set ({@link Watcher#slot}). Event-loop confined.
 */
final class KeyWatchers {
  private Watcher[] watchers = new Watcher[4];
  private int size;

  int size() {
    return size;
  }

  Watcher get(int i) {
    return watchers[i];
  }

  void add(Watcher w) {
    if (size == watchers.length) {
      watchers = Arrays.copyOf(watchers, size * 2);
    }
    w.slot = size;
    watchers[size++] = w;
  }

  /** Removes w if it is here; returns whether it was. */
  boolean remove(Watcher w) {
    int i = w.slot;
    if (i < 0 || i >= size || watchers[i] != w) {
      return false;
    }
    Watcher last = watchers[--size];
    watchers[i] = last;
    last.slot = i;
    watchers[size] = null;
    w.slot = -1;
    return true;
  }

  /** The watchers, copied: a caller may move them to other sets while it walks the copy. */
  Watcher[] toArray() {
    return Arrays.copyOf(watchers, size);
  }
}
