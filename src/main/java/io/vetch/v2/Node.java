package io.vetch.v2;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One node of the v2 tree (etcd's v2store node): a file with a value, or a directory with children (kept in key
 * order). {@code expireTime} is unix nanoseconds, 0 for a permanent node. Guarded by the store's lock.
 */
final class Node {
  final String path;
  final long createdIndex;
  long modifiedIndex;
  Node parent;
  long expireTime;
  String value;
  final TreeMap<String, Node> children;

  private Node(String path, long createdIndex, Node parent, long expireTime, String value, boolean dir) {
    this.path = path;
    this.createdIndex = createdIndex;
    this.modifiedIndex = createdIndex;
    this.parent = parent;
    this.expireTime = expireTime;
    this.value = value;
    this.children = dir ? new TreeMap<>(V2Path.ORDER) : null;
  }

  static Node file(String path, String value, long createdIndex, Node parent, long expireTime) {
    return new Node(path, createdIndex, parent, expireTime, value, false);
  }

  static Node dir(String path, long createdIndex, Node parent, long expireTime) {
    return new Node(path, createdIndex, parent, expireTime, "", true);
  }

  boolean isDir() {
    return children != null;
  }

  boolean isPermanent() {
    return expireTime == 0;
  }

  /** A hidden node's name starts with "_": listings leave it out. */
  boolean isHidden() {
    return V2Path.base(path).startsWith("_");
  }

  /** The key shown for this node: its path, "" for the root (etcd shows its root's "/1" trimmed to nothing). */
  String externKey() {
    return externKey(path);
  }

  static String externKey(String path) {
    return path.equals("/") ? "" : path;
  }

  void add(Node child) {
    children.put(V2Path.base(child.path), child);
  }

  /** etcd's ttl: the seconds until expireTime rounded up (0 for a permanent node; may be 0 or negative). */
  long ttl(long now) {
    if (isPermanent()) {
      return 0;
    }
    long left = expireTime - now;
    long ttl = left / 1_000_000_000L;
    return left % 1_000_000_000L > 0 ? ttl + 1 : ttl;
  }

  /** etcd's Repr: this node for clients; a directory lists its children (not hidden ones) when recursive. */
  V2NodeExtern repr(boolean recursive, long now) {
    if (!isDir()) {
      return new V2NodeExtern(externKey(), value, false, expireTime, ttl(now), null, modifiedIndex, createdIndex);
    }
    return new V2NodeExtern(externKey(), null, true, expireTime, ttl(now), recursive ? list(true, now) : null,
        modifiedIndex, createdIndex);
  }

  /** The visible children of a directory, each deep when recursive (always in key order, so sorted or not). */
  List<V2NodeExtern> list(boolean recursive, long now) {
    List<V2NodeExtern> nodes = new ArrayList<>(children.size());
    for (Node child : children.values()) {
      if (!child.isHidden()) {
        nodes.add(child.repr(recursive, now));
      }
    }
    return nodes;
  }

  /**
   * etcd's Remove: detaches this node (a directory only when {@code dir}, a non-empty one only when
   * {@code recursive}), children first, telling {@code removed} every detached path and dropping TTLs from the heap.
   */
  void remove(boolean dir, boolean recursive, TtlKeyHeap heap, Consumer<String> removed, long currentIndex) {
    if (!isDir()) {
      detach(heap, removed);
      return;
    }
    if (!dir) {
      throw new V2Error(V2Error.NOT_FILE, externKey(), currentIndex);
    }
    if (!children.isEmpty() && !recursive) {
      throw new V2Error(V2Error.DIR_NOT_EMPTY, externKey(), currentIndex);
    }
    for (Node child : new ArrayList<>(children.values())) {
      child.remove(true, true, heap, removed, currentIndex);
    }
    detach(heap, removed);
  }

  private void detach(TtlKeyHeap heap, Consumer<String> removed) {
    String name = V2Path.base(path);
    boolean attached = parent != null && parent.children.get(name) == this;
    if (attached) {
      parent.children.remove(name);
    }
    if (attached || !isDir()) {
      if (removed != null) {
        removed.accept(path);
      }
      if (!isPermanent()) {
        heap.remove(this);
      }
    }
  }

  /** etcd's UpdateTTL: a new expiry (0 makes the node permanent), the heap kept in step. */
  void updateTtl(long newExpireTime, TtlKeyHeap heap) {
    if (!isPermanent()) {
      heap.remove(this);
    }
    expireTime = newExpireTime;
    if (!isPermanent()) {
      heap.push(this);
    }
  }

  /** etcd's Compare: 0 match, else which of the given prevValue ("" = any) and prevIndex (0 = any) differ. */
  String compareFailure(String prevValue, long prevIndex) {
    boolean indexMatch = prevIndex == 0 || modifiedIndex == prevIndex;
    boolean valueMatch = prevValue.isEmpty() || value.equals(prevValue);
    if (indexMatch && valueMatch) {
      return null;
    }
    String idx = "[" + Long.toUnsignedString(prevIndex) + " != " + Long.toUnsignedString(modifiedIndex) + "]";
    String val = "[" + prevValue + " != " + value + "]";
    return indexMatch ? val : valueMatch ? idx : val + " " + idx;
  }
}
