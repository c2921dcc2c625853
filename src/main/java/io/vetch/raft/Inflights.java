package io.vetch.raft;

import java.util.ArrayDeque;

/**
 * The last indexes of MsgApp sent to one follower in replicate state and not yet acknowledged; bounds the
 * replication window to {@link RaftConfig#maxInflightMsgs} messages.
 */
final class Inflights {
  private final int size;
  private final ArrayDeque<Long> buffer = new ArrayDeque<>();

  Inflights(int size) {
    this.size = size;
  }

  void add(long lastIndex) {
    if (full()) {
      throw new IllegalStateException("cannot add into a full inflights window");
    }
    buffer.addLast(lastIndex);
  }

  /** Frees every in-flight message whose last index is <= to. */
  void freeLE(long to) {
    while (!buffer.isEmpty() && buffer.peekFirst() <= to) {
      buffer.pollFirst();
    }
  }

  void freeFirstOne() {
    buffer.pollFirst();
  }

  boolean full() {
    return buffer.size() >= size;
  }

  int count() {
    return buffer.size();
  }

  void reset() {
    buffer.clear();
  }
}
