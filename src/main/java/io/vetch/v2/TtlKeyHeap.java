package io.vetch.v2;

import java.util.Comparator;
import java.util.TreeSet;

/**
 * The nodes with a TTL, soonest expiry first (etcd's ttlKeyHeap). Ties go by path, so every member expires the same
 * keys in the same order. A node's expireTime must not change while it is in here (remove, change, push).
 */
final class TtlKeyHeap {
  private final TreeSet<Node> nodes = new TreeSet<>(
      Comparator.<Node>comparingLong(n -> n.expireTime).thenComparing(n -> n.path, V2Path.ORDER));

  void push(Node n) {
    nodes.add(n);
  }

  void remove(Node n) {
    nodes.remove(n);
  }

  /** The node expiring first, or null. */
  Node top() {
    return nodes.isEmpty() ? null : nodes.first();
  }

  int size() {
    return nodes.size();
  }
}
