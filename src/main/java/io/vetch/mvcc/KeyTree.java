package io.vetch.mvcc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The ordered map under {@link TreeIndex}: key (unsigned lexicographic byte order) to {@link KeyIndex}, a B+tree
 * of up to {@value #MAX} entries a node. Each node keeps its keys' first eight bytes in a {@code long[]} beside the
 * keys, so a search compares inline numbers and reads a key's array only on a tie: a lookup among 100,000 keys
 * touches three or four nodes, where a skip list follows about twenty pointers to scattered nodes and keys.
 *
 * <p>One writer, any number of readers without locks. A new key goes into a copy of its leaf, which replaces the
 * old leaf in its parent by one release store (readers load children with acquire, so they see the copy whole or
 * the old leaf); only a node that splits has its parent copied too, up to the root, which is published through a
 * volatile. A key's index is replaced in place, one reference store into its leaf, which a reader sees or not, as
 * with a concurrent map's value. Readers that need a whole write to be visible rely on the store's publication of
 * its revision (a volatile written after the index), as they did with the skip list.
 *
 * <p>An inner node's first least key is never read to route a search (a key below keys[1] goes to child 0 either
 * way), so a smaller key that enters the leftmost subtree leaves it stale; every other least key is exact, since
 * only the leftmost subtree of a node can receive a key below its least.
 */
final class KeyTree {
  static final int MAX = 64;
  private static final VarHandle KIDS = MethodHandles.arrayElementVarHandle(Node[].class);
  /** Entries per node when a tree is built from sorted entries: room for inserts before the first split. */
  private static final int FILL = 48;

  /**
   * A leaf (vals set) or an inner node (kids set, keys[i] the least key under kids[i], keys[0] possibly stale as
   * above). Arrays are never resized.
   */
  private static final class Node {
    final long[] heads;
    final byte[][] keys;
    final KeyIndex[] vals;
    final Node[] kids;

    Node(long[] heads, byte[][] keys, KeyIndex[] vals, Node[] kids) {
      this.heads = heads;
      this.keys = keys;
      this.vals = vals;
      this.kids = kids;
    }

    static Node leaf(int n) {
      return new Node(new long[n], new byte[n][], new KeyIndex[n], null);
    }

    static Node inner(int n) {
      return new Node(new long[n], new byte[n][], null, new Node[n]);
    }

    int size() {
      return keys.length;
    }

    boolean isLeaf() {
      return kids == null;
    }
  }

  private volatile Node root = Node.leaf(0);

  /** The key's index, or null. Any thread. */
  KeyIndex get(byte[] key) {
    long head = head(key);
    Node n = root;
    while (!n.isLeaf()) {
      n = kid(n, child(n, key, head));
    }
    int at = search(n, key, head);
    return at >= 0 ? n.vals[at] : null;
  }

  /** Sets the index of ki's key: in place when present, else inserted (see the class comment). The writer only. */
  void put(KeyIndex ki) {
    byte[] key = ki.key;
    long head = head(key);
    Node n = root;
    while (!n.isLeaf()) {
      n = n.kids[child(n, key, head)];
    }
    int at = search(n, key, head);
    if (at >= 0) {
      n.vals[at] = ki;
      return;
    }
    Node[] split = insert(root, key, head, ki);
    if (split == null) {
      return; // a leaf or subtree replaced in place
    }
    if (split.length == 1) {
      root = split[0];
    } else {
      Node r = Node.inner(2);
      set(r, 0, split[0]);
      set(r, 1, split[1]);
      root = r;
    }
  }

  /** Visits, in key order, the indexes of the keys in [from, to); from null = the first key, to null = no end. */
  void forEach(byte[] from, byte[] to, Consumer<KeyIndex> visitor) {
    visit(root, from, from == null ? 0 : head(from), to, visitor);
  }

  /** Replaces the whole tree with the given indexes, which must be in key order. The writer only. */
  void replaceAll(List<KeyIndex> vals) {
    root = build(vals);
  }

  private static boolean visit(Node n, byte[] from, long fromHead, byte[] to, Consumer<KeyIndex> visitor) {
    if (n.isLeaf()) {
      int i = 0;
      if (from != null) {
        int at = search(n, from, fromHead);
        i = at >= 0 ? at : -at - 1;
      }
      for (; i < n.size(); i++) {
        if (to != null && Arrays.compareUnsigned(n.keys[i], to) >= 0) {
          return false;
        }
        visitor.accept(n.vals[i]);
      }
      return true;
    }
    int start = from == null ? 0 : child(n, from, fromHead);
    for (int i = start; i < n.size(); i++) {
      if (i > start && to != null && Arrays.compareUnsigned(n.keys[i], to) >= 0) {
        return false;
      }
      if (!visit(kid(n, i), i == start ? from : null, fromHead, to, visitor)) {
        return false;
      }
    }
    return true;
  }

  /** Inner node n's i-th child, as the writer last published it. */
  private static Node kid(Node n, int i) {
    return (Node) KIDS.getAcquire(n.kids, i);
  }

  /**
   * Inserts a key not in the subtree: returns null when the subtree took it in place (a child replaced under it),
   * else the subtree's new node, or two when it split.
   */
  private static Node[] insert(Node n, byte[] key, long head, KeyIndex ki) {
    if (n.isLeaf()) {
      int at = -search(n, key, head) - 1;
      Node out = Node.leaf(n.size() + 1);
      copyWithGap(n, out, at);
      out.heads[at] = head;
      out.keys[at] = key;
      out.vals[at] = ki;
      return split(out);
    }
    int c = child(n, key, head);
    Node[] sub = insert(n.kids[c], key, head, ki);
    if (sub == null) {
      return null;
    }
    if (sub.length == 1) {
      KIDS.setRelease(n.kids, c, sub[0]); // its least key is unchanged, or c is 0 (see the class comment)
      return null;
    }
    Node out = Node.inner(n.size() + 1);
    copyWithGap(n, out, c + 1);
    set(out, c, sub[0]);
    set(out, c + 1, sub[1]);
    return split(out);
  }

  /** n as it is, or its two halves when it holds more than MAX entries. */
  private static Node[] split(Node n) {
    if (n.size() <= MAX) {
      return new Node[] {n};
    }
    int half = n.size() / 2;
    return new Node[] {slice(n, 0, half), slice(n, half, n.size())};
  }

  private static Node slice(Node n, int from, int to) {
    Node out = n.isLeaf() ? Node.leaf(to - from) : Node.inner(to - from);
    System.arraycopy(n.heads, from, out.heads, 0, to - from);
    System.arraycopy(n.keys, from, out.keys, 0, to - from);
    if (n.isLeaf()) {
      System.arraycopy(n.vals, from, out.vals, 0, to - from);
    } else {
      System.arraycopy(n.kids, from, out.kids, 0, to - from);
    }
    return out;
  }

  /** Copies n into out (one entry longer), leaving entry gap for the caller to fill. */
  private static void copyWithGap(Node n, Node out, int gap) {
    int rest = n.size() - gap;
    System.arraycopy(n.heads, 0, out.heads, 0, gap);
    System.arraycopy(n.heads, gap, out.heads, gap + 1, rest);
    System.arraycopy(n.keys, 0, out.keys, 0, gap);
    System.arraycopy(n.keys, gap, out.keys, gap + 1, rest);
    if (n.isLeaf()) {
      System.arraycopy(n.vals, 0, out.vals, 0, gap);
      System.arraycopy(n.vals, gap, out.vals, gap + 1, rest);
    } else {
      System.arraycopy(n.kids, 0, out.kids, 0, gap);
      System.arraycopy(n.kids, gap, out.kids, gap + 1, rest);
    }
  }

  /** Makes kid the i-th child of inner node n, keyed by its least key. */
  private static void set(Node n, int i, Node kid) {
    n.kids[i] = kid;
    n.keys[i] = kid.keys[0];
    n.heads[i] = kid.heads[0];
  }

  private static Node build(List<KeyIndex> vals) {
    int count = vals.size();
    List<Node> level = new ArrayList<>();
    for (int from = 0; from < count || level.isEmpty(); from += FILL) {
      int to = Math.min(count, from + FILL);
      Node leaf = Node.leaf(to - from);
      for (int i = from; i < to; i++) {
        KeyIndex ki = vals.get(i);
        leaf.heads[i - from] = head(ki.key);
        leaf.keys[i - from] = ki.key;
        leaf.vals[i - from] = ki;
      }
      level.add(leaf);
    }
    while (level.size() > 1) {
      List<Node> up = new ArrayList<>();
      for (int from = 0; from < level.size(); from += FILL) {
        int to = Math.min(level.size(), from + FILL);
        Node inner = Node.inner(to - from);
        for (int i = from; i < to; i++) {
          set(inner, i - from, level.get(i));
        }
        up.add(inner);
      }
      level = up;
    }
    return level.get(0);
  }

  /** Index of key in n, or -(insertion point) - 1. */
  private static int search(Node n, byte[] key, long head) {
    int lo = 0;
    int hi = n.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Long.compareUnsigned(n.heads[mid], head);
      if (c == 0) {
        c = Arrays.compareUnsigned(n.keys[mid], key);
      }
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  /** The child of inner node n whose keys would include key: the last one whose least key is <= key, else the first. */
  private static int child(Node n, byte[] key, long head) {
    int at = search(n, key, head);
    return at >= 0 ? at : Math.max(0, -at - 2);
  }

  /**
   * The key's first eight bytes, big-endian, zero-padded: heads that differ order their keys as the keys do (a key
   * that ends is padded with zeros, which sort first), so only equal heads need the keys compared.
   */
  static long head(byte[] key) {
    long h = 0;
    int n = Math.min(8, key.length);
    for (int i = 0; i < n; i++) {
      h |= (key[i] & 0xFFL) << (56 - 8 * i);
    }
    return h;
  }
}
