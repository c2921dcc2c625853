package io.vetch.v2;

import io.vetch.v2.V2Stats.Counter;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The v2 store as bytes, for Raft snapshots (what etcd keeps as the JSON of its store). All numbers big-endian;
 * {@code str} is an int byte count and that many bytes of UTF-8.
 *
 * <pre>
 * "V2ST"  int version (1)
 * long    store index
 * long[]  the counters of V2Stats.Counter, each in declaration order (15 in version 1)
 * node    the root, then every node below it, depth first:
 *           byte kind (0 file, 1 directory), str path, long createdIndex, long modifiedIndex,
 *           long expireTime (unix ns, 0 = permanent), then a file's str value or a directory's int child count
 *           followed by its children
 * int     event count, then the history's events, oldest first:
 *           str action, byte refresh (0/1), long etcdIndex, extern node, byte has prevNode (0/1), [extern prevNode]
 *           extern = str key, byte flags (1 value, 2 dir, 4 nodes), [str value], long expiration, long ttl,
 *                    long modifiedIndex, long createdIndex, [int count, extern...]
 * int     CRC-32C of every byte before it
 * </pre>
 *
 * The counters of the stats come back with the state, as in etcd; the waiting watches are not part of it.
 */
final class StoreCodec {
  private static final int MAGIC = 0x56325354; // "V2ST"
  private static final int VERSION = 1;

  /** A decoded state, ready to install. */
  record State(long index, long[] counters, Node root, List<V2Event> events) {
  }

  private StoreCodec() {
  }

  static byte[] save(V2Store s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeLong(s.currentIndex);
      for (Counter c : Counter.values()) {
        out.writeLong(s.stats.get(c));
      }
      writeTree(out, s.root);
      List<V2Event> events = s.hub.history.events();
      out.writeInt(events.size());
      for (V2Event e : events) {
        writeStr(out, e.action());
        out.writeByte(e.refresh() ? 1 : 0);
        out.writeLong(e.etcdIndex());
        writeExtern(out, e.node());
        out.writeByte(e.prevNode() != null ? 1 : 0);
        if (e.prevNode() != null) {
          writeExtern(out, e.prevNode());
        }
      }
      CRC32C crc = new CRC32C();
      crc.update(bytes.toByteArray());
      out.writeInt((int) crc.getValue());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Decodes and checks a saved state; IllegalArgumentException when the bytes are not one. */
  static State load(byte[] state) {
    if (state.length < 12) {
      throw new IllegalArgumentException("v2 store state too short: " + state.length + " bytes");
    }
    CRC32C crc = new CRC32C();
    crc.update(state, 0, state.length - 4);
    ByteBuffer in = ByteBuffer.wrap(state);
    if (in.getInt() != MAGIC || in.getInt(state.length - 4) != (int) crc.getValue()) {
      throw new IllegalArgumentException("not a v2 store state, or a damaged one (magic or CRC mismatch)");
    }
    int version = in.getInt();
    if (version != VERSION) {
      throw new IllegalArgumentException("v2 store state version " + version + " is not known (" + VERSION + " is)");
    }
    try {
      long index = in.getLong();
      long[] counters = new long[Counter.values().length];
      for (int i = 0; i < counters.length; i++) {
        counters[i] = in.getLong();
      }
      Node root = readTree(in);
      if (!root.path.equals("/") || !root.isDir()) {
        throw new IllegalArgumentException("v2 store state: the first node is not the root directory");
      }
      int count = count(in);
      List<V2Event> events = new ArrayList<>(Math.min(count, EventHistory.CAPACITY));
      for (int i = 0; i < count; i++) {
        String action = readStr(in);
        boolean refresh = in.get() != 0;
        long etcdIndex = in.getLong();
        V2NodeExtern node = readExtern(in);
        V2NodeExtern prev = in.get() != 0 ? readExtern(in) : null;
        events.add(new V2Event(action, node, prev, etcdIndex, refresh));
      }
      if (in.remaining() != 4) {
        throw new IllegalArgumentException("v2 store state: " + (in.remaining() - 4) + " bytes after the history");
      }
      return new State(index, counters, root, events);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("v2 store state truncated", e);
    }
  }

  /** Puts a decoded state in place of the store's (its lock held): tree, index, counters, history, TTL heap. */
  static void install(V2Store s, State st) {
    s.root = st.root;
    s.currentIndex = st.index;
    for (Counter c : Counter.values()) {
      s.stats.set(c, st.counters[c.ordinal()]);
    }
    s.ttlKeyHeap = new TtlKeyHeap();
    pushTtls(st.root, s.ttlKeyHeap);
    EventHistory history = new EventHistory();
    st.events.forEach(history::add);
    synchronized (s.hub) {
      s.hub.history = history;
    }
  }

  private static void pushTtls(Node root, TtlKeyHeap heap) {
    for (Node n : root.subtree()) {
      if (!n.isPermanent()) {
        heap.push(n);
      }
    }
  }

  /** The tree depth first, each node before its children (iterative: any depth). */
  private static void writeTree(DataOutputStream out, Node root) throws IOException {
    for (Node n : root.subtree()) {
      out.writeByte(n.isDir() ? 1 : 0);
      writeStr(out, n.path);
      out.writeLong(n.createdIndex);
      out.writeLong(n.modifiedIndex);
      out.writeLong(n.expireTime);
      if (n.isDir()) {
        out.writeInt(n.children.size());
      } else {
        writeStr(out, n.value);
      }
    }
  }

  private static Node readTree(ByteBuffer in) {
    ArrayDeque<long[]> remaining = new ArrayDeque<>(); // children still to read, per open directory
    ArrayDeque<Node> dirs = new ArrayDeque<>();
    Node root = readNode(in, null, remaining, dirs);
    while (!dirs.isEmpty()) {
      if (remaining.peek()[0]-- == 0) {
        remaining.pop();
        dirs.pop();
        continue;
      }
      Node parent = dirs.peek();
      parent.add(readNode(in, parent, remaining, dirs));
    }
    return root;
  }

  /** One node; a directory is pushed (with its child count) for its children to follow. */
  private static Node readNode(ByteBuffer in, Node parent, ArrayDeque<long[]> remaining, ArrayDeque<Node> dirs) {
    boolean dir = in.get() != 0;
    String path = readStr(in);
    long created = in.getLong();
    long modified = in.getLong();
    long expire = in.getLong();
    if (parent != null && (V2Path.base(path).isEmpty() || !path.equals(parent.childPath(V2Path.base(path))))) {
      throw new IllegalArgumentException("v2 store state: node " + path + " is not a child of " + parent.path);
    }
    Node n = dir ? Node.dir(path, created, parent, expire) : Node.file(path, readStr(in), created, parent, expire);
    n.modifiedIndex = modified;
    if (dir) {
      remaining.push(new long[] {count(in)});
      dirs.push(n);
    }
    return n;
  }

  private static void writeExtern(DataOutputStream out, V2NodeExtern n) throws IOException {
    writeStr(out, n.key());
    out.writeByte((n.value() != null ? 1 : 0) | (n.dir() ? 2 : 0) | (n.nodes() != null ? 4 : 0));
    if (n.value() != null) {
      writeStr(out, n.value());
    }
    out.writeLong(n.expiration());
    out.writeLong(n.ttl());
    out.writeLong(n.modifiedIndex());
    out.writeLong(n.createdIndex());
    if (n.nodes() != null) {
      out.writeInt(n.nodes().size());
      for (V2NodeExtern c : n.nodes()) {
        writeExtern(out, c);
      }
    }
  }

  private static V2NodeExtern readExtern(ByteBuffer in) {
    String key = readStr(in);
    int flags = in.get();
    String value = (flags & 1) != 0 ? readStr(in) : null;
    long expiration = in.getLong();
    long ttl = in.getLong();
    long modified = in.getLong();
    long created = in.getLong();
    List<V2NodeExtern> nodes = null;
    if ((flags & 4) != 0) {
      int count = count(in);
      nodes = new ArrayList<>(Math.min(count, 1024));
      for (int i = 0; i < count; i++) {
        nodes.add(readExtern(in));
      }
    }
    return new V2NodeExtern(key, value, (flags & 2) != 0, expiration, ttl, nodes, modified, created);
  }

  private static void writeStr(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readStr(ByteBuffer in) {
    int n = count(in);
    if (n > in.remaining()) {
      throw new IllegalArgumentException("v2 store state: a string of " + n + " bytes runs past the end");
    }
    String s = new String(in.array(), in.position(), n, StandardCharsets.UTF_8);
    in.position(in.position() + n);
    return s;
  }

  private static int count(ByteBuffer in) {
    int n = in.getInt();
    if (n < 0) {
      throw new IllegalArgumentException("v2 store state: negative count " + n);
    }
    return n;
  }
}
