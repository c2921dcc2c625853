package io.vetch.v2;

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
   * expiration, ttl, nodes, modifiedIndex, createdIndex), each left out when empty (omitempty).
   */
  StringBuilder json(StringBuilder b) {
    b.append('{');
    int start = b.length();
    if (!key.isEmpty()) {
      V2Json.string(b.append("\"key\":"), key);
    }
    if (value != null) {
      V2Json.string(comma(b, start).append("\"value\":"), value);
    }
    if (dir) {
      comma(b, start).append("\"dir\":true");
    }
    if (expiration != 0) {
      comma(b, start).append("\"expiration\":\"").append(V2Json.time(expiration)).append('"');
    }
    if (ttl != 0) {
      comma(b, start).append("\"ttl\":").append(ttl);
    }
    if (nodes != null && !nodes.isEmpty()) {
      comma(b, start).append("\"nodes\":[");
      for (int i = 0; i < nodes.size(); i++) {
        nodes.get(i).json(i == 0 ? b : b.append(','));
      }
      b.append(']');
    }
    if (modifiedIndex != 0) {
      comma(b, start).append("\"modifiedIndex\":").append(Long.toUnsignedString(modifiedIndex));
    }
    if (createdIndex != 0) {
      comma(b, start).append("\"createdIndex\":").append(Long.toUnsignedString(createdIndex));
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
