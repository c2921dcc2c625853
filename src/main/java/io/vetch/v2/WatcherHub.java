package io.vetch.v2;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The waiting watches by key and the event history (etcd's watcherHub). Its own lock (this object) guards the
 * watches, so a watch can be removed from any thread; changes are notified under the store's write lock too.
 */
final class WatcherHub {
  private static final System.Logger LOG = System.getLogger(WatcherHub.class.getName());
  private final Map<String, List<V2Watcher>> watchers = new HashMap<>();
  private int count;
  EventHistory history = new EventHistory();

  /**
   * etcd's watch: answered from the history when it holds a matching event from {@code index} on (that event, with
   * the store's index), else registered to wait; a 401 error when {@code index} is older than the history.
   */
  synchronized V2Watcher watch(String key, boolean recursive, boolean stream, long index, long storeIndex) {
    V2Event event;
    try {
      event = history.scan(key, recursive, index);
    } catch (V2Error e) {
      throw e.withIndex(storeIndex);
    }
    V2Watcher w = new V2Watcher(this, key, recursive, stream, index, storeIndex);
    if (event != null) {
      w.removed = true;
      w.deliver(event.withEtcdIndex(storeIndex));
      return w;
    }
    watchers.computeIfAbsent(key, k -> new ArrayList<>()).add(w);
    count++;
    return w;
  }

  synchronized void remove(V2Watcher w) {
    if (w.removed) {
      return;
    }
    w.removed = true;
    List<V2Watcher> l = watchers.get(w.key);
    l.remove(w);
    count--;
    if (l.isEmpty()) {
      watchers.remove(w.key);
    }
  }

  /** Number of waiting watches (the "watchers" of the store's stats). */
  synchronized int count() {
    return count;
  }

  /** Keeps a TTL refresh in the history without notifying anyone (etcd's add). */
  synchronized void add(V2Event e) {
    history.add(e);
  }

  /**
   * Records {@code e} and notifies the watches of its key and of every directory above it, root first. The watched
   * paths are found from the key's prefixes or, when fewer, from the watched paths themselves (a deep key costs no
   * more than the watches there are).
   */
  synchronized void notify(V2Event e) {
    history.add(e);
    if (watchers.isEmpty()) {
      return;
    }
    String key = e.node().key();
    List<String> paths = new ArrayList<>();
    int depth = 0;
    for (int i = 0; i < key.length() && depth <= watchers.size(); i++) {
      depth += key.charAt(i) == '/' ? 1 : 0;
    }
    if (depth > watchers.size()) {
      for (String p : watchers.keySet()) {
        if (p.equals("/") || key.startsWith(p) && (key.length() == p.length() || key.charAt(p.length()) == '/')) {
          paths.add(p);
        }
      }
      paths.sort(Comparator.comparingInt(String::length));
    } else {
      paths.add("/");
      for (int i = 1; i <= key.length(); i++) {
        if (i == key.length() || key.charAt(i) == '/') {
          paths.add(key.substring(0, i));
        }
      }
    }
    for (String p : paths) {
      notifyWatchers(e, p, false);
    }
  }

  /**
   * etcd's notifyWatchers: the watches of {@code path} get {@code e} (those below a hidden name only when the event is
   * on their own key); {@code deleted} marks a path removed by the event, whose watches are told even if not
   * recursive. A watch that got its event leaves unless it streams.
   */
  synchronized void notifyWatchers(V2Event e, String path, boolean deleted) {
    List<V2Watcher> l = watchers.get(path);
    if (l == null) {
      return;
    }
    boolean originalPath = e.node().key().equals(path);
    for (V2Watcher w : new ArrayList<>(l)) {
      if (w.removed || !originalPath && V2Path.hiddenBelow(path, e.node().key())) {
        continue;
      }
      boolean notified;
      try {
        notified = w.notify(e, originalPath, deleted);
      } catch (RuntimeException ex) {
        LOG.log(System.Logger.Level.WARNING, "v2 watch consumer failed on " + path + "; watch removed", ex);
        remove(w);
        continue;
      }
      if (notified && !w.stream) {
        remove(w);
      }
    }
  }
}
