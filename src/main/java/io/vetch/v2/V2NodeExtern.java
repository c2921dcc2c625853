package io.vetch.v2;

import java.util.ArrayDeque;
import java.util.List;

/**
 * A node as etcd's v2 API shows it (etcd's NodeExtern), immutable. {@code key} is "" for the root (etcd trims its
 * "/1" prefix to nothing), {@code value} is null for a directory, {@code expiration} is unix nanoseconds or 0 for a
 * permanent node, {@code ttl} the seconds left (rounded up) when the node was read, {@code nodes} null unless this
 * is a listed directory.
 */
public record V2NodeExtern(String key, String value, boolean dir, long expiration, long ttl, List<V2NodeExtern> nodes,
    long modifiedIndex, long createdIndex) {

  public V2NodeExtern {
    nodes = nodes == null ? null : List.copyOf(nodes);
  }

  /**
   * Appends this node as Go's json.Marshal writes etcd's NodeExtern: fields in its order (key, value, dir,
   * expiration, ttl, nodes, modifiedIndex, createdIndex), each left out when empty (omitempty). Iterative: any depth.
   */
  StringBuilder json(StringBuilder b) {
    ArrayDeque<Object[]> open = new ArrayDeque<>(); // {node, Integer next child, Integer start}
    int start = head(b, this);
    if (!hasNodes()) {
      return tail(b, this, start);
    }
    open.push(new Object[] {this, 0, start});
    while (!open.isEmpty()) {
      Object[] f = open.peek();
      V2NodeExtern n = (V2NodeExtern) f[0];
      int next = (Integer) f[1];
      if (next == n.nodes.size()) {
        open.pop();
        tail(b.append(']'), n, (Integer) f[2]);
        continue;
      }
      f[1] = next + 1;
      V2NodeExtern c = n.nodes.get(next);
      int cStart = head(next == 0 ? b : b.append(','), c);
      if (c.hasNodes()) {
        open.push(new Object[] {c, 0, cStart});
      } else {
        tail(b, c, cStart);
      }
    }
    return b;
  }

  private boolean hasNodes() {
    return nodes != null && !nodes.isEmpty();
  }

  /** Writes "{" and the fields before modifiedIndex, opening "nodes":[ when there are nodes; where the fields began. */
  private static int head(StringBuilder b, V2NodeExtern n) {
    b.append('{');
    int start = b.length();
    if (!n.key.isEmpty()) {
      GoJson.string(b.append("\"key\":"), n.key);
    }
    if (n.value != null) {
      GoJson.string(comma(b, start).append("\"value\":"), n.value);
    }
    if (n.dir) {
      comma(b, start).append("\"dir\":true");
    }
    if (n.expiration != 0) {
      comma(b, start).append("\"expiration\":\"").append(GoJson.time(n.expiration)).append('"');
    }
    if (n.ttl != 0) {
      comma(b, start).append("\"ttl\":").append(n.ttl);
    }
    if (n.hasNodes()) {
      comma(b, start).append("\"nodes\":[");
    }
    return start;
  }

  private static StringBuilder tail(StringBuilder b, V2NodeExtern n, int start) {
    if (n.modifiedIndex != 0) {
      comma(b, start).append("\"modifiedIndex\":").append(Long.toUnsignedString(n.modifiedIndex));
    }
    if (n.createdIndex != 0) {
      comma(b, start).append("\"createdIndex\":").append(Long.toUnsignedString(n.createdIndex));
    }
    return b.append('}');
  }

  /** This node's JSON (etcd's json.Marshal of it). */
  public String toJson() {
    return json(new StringBuilder(128)).toString();
  }

  private static StringBuilder comma(StringBuilder b, int start) {
    return b.length() > start ? b.append(',') : b;
  }
}
