package io.vetch.v2;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
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

  /** etcd's Repr(false): this node for clients, a directory without its children. */
  V2NodeExtern repr(long now) {
    return new V2NodeExtern(externKey(), isDir() ? null : value, isDir(), expireTime, ttl(now), null, modifiedIndex,
        createdIndex);
  }

  /**
   * A directory with its visible (not hidden) children, in key order (so sorted or not), each child directory with
   * its own children when {@code recursive} (etcd's Repr(true) and loadInternalNode). Iterative: any depth.
   */
  V2NodeExtern listed(boolean recursive, long now) {
    ArrayDeque<Listing> stack = new ArrayDeque<>();
    stack.push(new Listing(this));
    while (true) {
      Listing l = stack.peek();
      if (l.children.hasNext()) {
        Node c = l.children.next();
        if (c.isHidden()) {
          continue;
        }
        if (c.isDir() && recursive) {
          stack.push(new Listing(c));
        } else {
          l.nodes.add(c.repr(now));
        }
        continue;
      }
      stack.pop();
      Node d = l.dir;
      V2NodeExtern e = new V2NodeExtern(d.externKey(), null, true, d.expireTime, d.ttl(now), l.nodes, d.modifiedIndex,
          d.createdIndex);
      if (stack.isEmpty()) {
        return e;
      }
      stack.peek().nodes.add(e);
    }
  }

  private static final class Listing {
    final Node dir;
    final Iterator<Node> children;
    final List<V2NodeExtern> nodes = new ArrayList<>();

    Listing(Node dir) {
      this.dir = dir;
      this.children = dir.children.values().iterator();
    }
  }

  /** The path of a child named {@code name} (a clean segment). */
  String childPath(String name) {
    return path.equals("/") ? "/" + name : path + "/" + name;
  }

  /** This node and every node below it, each before its children (iterative: any depth). */
  List<Node> subtree() {
    List<Node> out = new ArrayList<>();
    ArrayDeque<Node> todo = new ArrayDeque<>();
    todo.push(this);
    while (!todo.isEmpty()) {
      Node n = todo.pop();
      out.add(n);
      if (n.isDir()) {
        n.children.descendingMap().values().forEach(todo::push);
      }
    }
    return out;
  }

  /**
   * etcd's Remove: detaches this node (a directory only when {@code dir}, a non-empty one only when
   * {@code recursive}), children first, telling {@code removed} every detached path and dropping TTLs from the heap.
   * Iterative: any depth.
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
    List<Node> all = subtree();
    for (int i = all.size() - 1; i >= 0; i--) {
      all.get(i).detach(heap, removed);
    }
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
