package io.vetch.v2;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@link #CAPACITY} events (etcd's EventHistory over its eventQueue), the oldest dropped first: what a watch
 * from a past index is answered from. Every store index has its event here (including TTL refreshes, which watches
 * skip), so the event of index i sits i - startIndex places after the oldest. Guarded by the store's lock.
 */
final class EventHistory {
  static final int CAPACITY = 1000;
  private final V2Event[] events = new V2Event[CAPACITY];
  private int front;
  private int back;
  private int size;
  private long startIndex;
  private long lastIndex;

  void add(V2Event e) {
    events[back] = e;
    back = (back + 1) % CAPACITY;
    if (size == CAPACITY) {
      front = (front + 1) % CAPACITY;
    } else {
      size++;
    }
    lastIndex = e.index();
    startIndex = events[front].index();
  }

  /**
   * etcd's scan: the first event from {@code index} on that a watch of {@code key} sees (the key itself; below it
   * when recursive; a deleted or expired directory above it), null when there is none yet; a 401 error (index 0, the
   * caller sets it) when {@code index} is older than the history.
   */
  V2Event scan(String key, boolean recursive, long index) {
    if (Long.compareUnsigned(index, startIndex) < 0) {
      throw new V2Error(V2Error.EVENT_INDEX_CLEARED, "the requested history has been cleared ["
          + Long.toUnsignedString(startIndex) + "/" + Long.toUnsignedString(index) + "]", 0);
    }
    if (Long.compareUnsigned(index, lastIndex) > 0 || size == 0) {
      return null;
    }
    String prefix = V2Path.clean(key);
    if (!prefix.endsWith("/")) {
      prefix += "/";
    }
    int i = (int) ((front + (index - startIndex)) % CAPACITY);
    do {
      V2Event e = events[i];
      if (!e.refresh()) {
        String k = e.node().key();
        boolean ok = k.equals(key) || recursive && k.startsWith(prefix);
        if ((e.action().equals(V2Event.DELETE) || e.action().equals(V2Event.EXPIRE)) && e.prevNode() != null
            && e.prevNode().dir()) {
          ok = ok || key.startsWith(e.prevNode().key());
        }
        if (ok) {
          return e;
        }
      }
      i = (i + 1) % CAPACITY;
    } while (i != back);
    return null;
  }

  /** The events held, oldest first. */
  List<V2Event> events() {
    List<V2Event> out = new ArrayList<>(size);
    for (int k = 0; k < size; k++) {
      out.add(events[(front + k) % CAPACITY]);
    }
    return out;
  }

  long startIndex() {
    return startIndex;
  }

  long lastIndex() {
    return lastIndex;
  }
}
